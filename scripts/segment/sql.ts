import { StrataError } from '../core/errors.ts';
import { quoteIdent } from '../core/sql.ts';
import type { FeatureTransform } from './transform.ts';

/** The centres table's column for a feature's coordinate: `c_<feature>`. */
export function centreColumn(feature: string): string {
  return `c_${feature}`;
}

/**
 * A finite number as a SQL double precision literal that reads back as the same double.
 * JavaScript's `String(x)` is the shortest decimal that round-trips (never fewer digits than
 * needed, unlike a fixed `toPrecision`); PostgreSQL parses it exactly and rounds once to float8.
 */
export function sqlNumber(x: number): string {
  if (!Number.isFinite(x)) throw new StrataError(`cannot write ${x} as a SQL number`);
  // parenthesised when negative so that `a - -1` can never read as `a --1`, a comment
  const text = x < 0 ? `(${String(x)})` : Object.is(x, -0) ? '0' : String(x);
  return `${text}::double precision`;
}

/**
 * A SELECT giving, for every row of `featuresRelation`, its nearest segment centre:
 * `customer_id, segment_id, distance`, where distance is the Euclidean distance in
 * standardised space. It applies the recorded transform in SQL exactly as `applyTransform` does
 * (`(ln(1 + max(x, 0)) - mean) / sd` for a log1p'd feature, a NULL counting as the mean),
 * then picks the nearest centre with a lateral join, ties to the lower segment_id.
 *
 * `centresTable` and `featuresRelation` are SQL relation names as written into the query (quote
 * them with `qualified()`); the centres table has `segment_id` and one double precision column
 * per feature named by `centreColumn` (`c_recency_days`, …) in standardised units. The features
 * relation has `customer_id` and a column per feature. The lateral subquery reads only the small
 * centres table, so each customer's row is computed on its own (Citus-friendly).
 *
 * @example
 * nearestCentreSql(t, qualified(ctx.this), qualified(ctx.ref('customer_features')))
 */
export function nearestCentreSql(t: FeatureTransform, centresTable: string, featuresRelation: string): string {
  if (t.features.length === 0) throw new StrataError('nearestCentreSql: the transform has no features');
  const standardised = t.features.map((feature, i) => {
    const x = `f.${quoteIdent(feature)}::double precision`;
    // not greatest(x, 0): greatest ignores NULLs, so a missing value would become ln(1) = 0
    const v = t.log1p[i] ? `ln(1 + case when ${x} < 0 then 0 else ${x} end)` : x;
    const mean = sqlNumber(t.mean[i]!);
    return `    (coalesce(${v}, ${mean}) - ${mean}) / ${sqlNumber(t.sd[i]!)} as ${quoteIdent(`z_${feature}`)}`;
  });
  const squares = t.features.map(
    (feature) => `(t.${quoteIdent(`z_${feature}`)} - c.${quoteIdent(centreColumn(feature))}) ^ 2`,
  );
  return [
    'with standardised as (',
    '  select',
    '    f.customer_id,',
    standardised.join(',\n'),
    `  from ${featuresRelation} as f`,
    ')',
    'select',
    '  t.customer_id,',
    '  nearest.segment_id,',
    '  sqrt(nearest.squared_distance) as distance',
    'from standardised as t',
    'cross join lateral (',
    '  select',
    '    c.segment_id,',
    `    ${squares.join('\n      + ')} as squared_distance`,
    `  from ${centresTable} as c`,
    '  order by squared_distance, c.segment_id',
    '  limit 1',
    ') as nearest',
  ].join('\n');
}
