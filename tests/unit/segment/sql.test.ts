import { describe, expect, it } from 'vitest';
import { centreColumn, nearestCentreSql, sqlNumber } from '../../../scripts/segment/sql.ts';

describe('sqlNumber', () => {
  it('writes literals that read back as the same double', () => {
    for (const x of [0.1, 1 / 3, Math.PI, 1e-300, 123456789.12345679, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308]) {
      const literal = sqlNumber(x);
      expect(literal).toMatch(/::double precision$/);
      expect(Number(literal.replace('::double precision', ''))).toBe(x);
    }
  });

  it('parenthesises negatives so that "- -x" can never become a comment', () => {
    expect(sqlNumber(-2.5e21)).toBe('(-2.5e+21)::double precision');
    expect(sqlNumber(-0)).toBe('0::double precision');
  });

  it('refuses non-finite numbers', () => {
    expect(() => sqlNumber(Number.NaN)).toThrow(/NaN/);
    expect(() => sqlNumber(Infinity)).toThrow(/Infinity/);
  });
});

describe('nearestCentreSql', () => {
  it('applies the transform and picks the nearest centre (golden)', () => {
    const sql = nearestCentreSql(
      { features: ['monetary', 'recency_days'], log1p: [true, false], mean: [4.5, -0.1], sd: [1.25, 30] },
      '"gold__b000001"."segment_centres"',
      '"gold__b000001"."customer_features"',
    );
    expect(sql).toBe(`with standardised as (
  select
    f.customer_id,
    (coalesce(ln(1 + case when f."monetary"::double precision < 0 then 0 else f."monetary"::double precision end), 4.5::double precision) - 4.5::double precision) / 1.25::double precision as "z_monetary",
    (coalesce(f."recency_days"::double precision, (-0.1)::double precision) - (-0.1)::double precision) / 30::double precision as "z_recency_days"
  from "gold__b000001"."customer_features" as f
)
select
  t.customer_id,
  nearest.segment_id,
  sqrt(nearest.squared_distance) as distance
from standardised as t
cross join lateral (
  select
    c.segment_id,
    (t."z_monetary" - c."c_monetary") ^ 2
      + (t."z_recency_days" - c."c_recency_days") ^ 2 as squared_distance
  from "gold__b000001"."segment_centres" as c
  order by squared_distance, c.segment_id
  limit 1
) as nearest`);
  });

  it('quotes odd feature names and names centre columns c_<feature>', () => {
    expect(centreColumn('frequency')).toBe('c_frequency');
    const sql = nearestCentreSql({ features: ['Weird"Name'], log1p: [false], mean: [0], sd: [1] }, 'c', 'f');
    expect(sql).toContain('f."Weird""Name"::double precision');
    expect(sql).toContain('c."c_Weird""Name"');
  });
});
