import { describe, expect, it } from 'vitest';
import { unionLegs } from '../../../scripts/plan/union-legs.ts';

// A view that is a union all of legs is taken leg by leg when its changed rows are found
// (plan/scoped-keys.ts): which shapes are split, and what each leg may read.
describe('unionLegs', () => {
  it('splits a plain union all; every leg after the first takes its column names from the first', () => {
    const split = unionLegs('select a, b from <<rel:x>>\nunion all\nselect c, d from <<rel:y>>')!;
    expect(split.legs[0]).toBe('select a, b from <<rel:x>>');
    expect(split.legs[1]).toBe('select * from (\nselect a, b from <<rel:x>>\n) as strata_names where false\nunion all\nselect c, d from <<rel:y>>');
    expect(split.reads).toEqual(['select a, b from <<rel:x>>', 'select c, d from <<rel:y>>']);
  });

  it("splits the union a view's CTEs build and it selects from; a leg reads the CTEs it names, transitively", () => {
    const sql = [
      '-- a comment: union all here is not a leg',
      'with base as (select * from <<rel:m>> where s = \'union all\'),',
      'retail as not materialized (select id from base),',
      'airline as (select a.id from <<rel:a>> as a left join <<rel:p>> as p on (p.id = a.id)),',
      'unioned as (',
      '    select * from retail',
      '    union all',
      '    select * from airline',
      ')',
      'select * from unioned',
    ].join('\n');
    const split = unionLegs(sql)!;
    expect(split.legs).toHaveLength(2);
    expect(split.legs[0]).toMatch(/^-- a comment[\s\S]*\)\s*select \* from retail$/);
    expect(split.legs[1]).toMatch(/where false\nunion all\nselect \* from airline$/);
    expect(split.reads[0]).toContain('<<rel:m>>');
    expect(split.reads[0]).not.toContain('<<rel:a>>');
    expect(split.reads[1]).toContain('<<rel:a>>');
    expect(split.reads[1]).toContain('<<rel:p>>');
    expect(split.reads[1]).not.toContain('<<rel:m>>');
  });

  it('leaves whole what combines rows across legs, and what is not a union at the top', () => {
    expect(unionLegs('select a from <<rel:x>> union select a from <<rel:y>>')).toBeUndefined();
    expect(unionLegs('select a from <<rel:x>> union all select a from <<rel:y>> order by a')).toBeUndefined();
    expect(unionLegs('select a from <<rel:x>> union all select a from <<rel:y>> limit 3')).toBeUndefined();
    expect(unionLegs('select a from <<rel:x>> union all select a from <<rel:y>> except select a from <<rel:z>>')).toBeUndefined();
    expect(unionLegs('select a from <<rel:x>> where a in (select a from <<rel:y>> union all select a from <<rel:z>>)')).toBeUndefined();
    expect(unionLegs('with u as (select a from <<rel:x>> union all select a from <<rel:y>>) select count(*) from u')).toBeUndefined();
    expect(unionLegs('select $$union all$$ from <<rel:x>> union all select 1')).toBeUndefined();
    expect(unionLegs('select a /* union all */ from <<rel:x>>')).toBeUndefined();
    // a window's order by is inside parentheses, not the union's
    expect(unionLegs('select row_number() over (order by a) from <<rel:x>> union all select 1 from <<rel:y>>')?.legs).toHaveLength(2);
  });
});
