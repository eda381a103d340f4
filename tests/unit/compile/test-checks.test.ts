import { describe, expect, it } from 'vitest';
import { onePassSql } from '../../../scripts/audit/one-pass.ts';
import { compileProject } from '../../../scripts/compile/index.ts';
import type { CompiledTest } from '../../../scripts/core/types.ts';
import { makeProject, spec } from './project.ts';

const M = '<<rel:model.orders>>';

function only(test: ReturnType<typeof spec>): CompiledTest {
  const tests = compileProject(makeProject({
    models: { 'models/gold/orders.sql': 'select 1 as id', 'models/gold/customers.sql': 'select 1 as id' },
    properties: [{ name: 'orders', tests: [test] }],
  })).tests;
  expect(tests).toHaveLength(1);
  return tests[0]!;
}

describe('checks: how a generic test can pass without its own scan', () => {
  it('row-local tests carry the condition a failing row meets, with the test\'s where', () => {
    expect(only(spec('not_null', 'id')).check).toEqual({ kind: 'row', subjectId: 'model.orders', subject: M, failsWhen: '(id is null)' });
    expect(only(spec('accepted_values', 'status', { values: ['a', "o'k"] })).check).toMatchObject({ failsWhen: "(status not in ('a', 'o''k'))" });
    expect(only(spec('expression_is_true', 'amount', { expression: '> 0' })).check).toMatchObject({ failsWhen: '(not (amount > 0))' });
    expect(only(spec('relationships', 'customer_id', { to: "ref('customers')", field: 'id' })).check).toMatchObject({
      failsWhen: '(customer_id is not null and customer_id not in (select id from <<rel:model.customers>> where id is not null))',
      ownQuery: true,
    });
    expect(only(spec('not_null', 'id')).check).not.toHaveProperty('ownQuery');
    expect(only(spec('not_null', 'id', { where: "status = 'x'" })).check).toMatchObject({ failsWhen: "(status = 'x') and (id is null)" });
  });

  it('unique and unique_combination_of_columns may be proved by an index, unless they have a where; row_count has no check', () => {
    expect(only(spec('unique', 'id')).check).toEqual({ kind: 'unique', subjectId: 'model.orders', subject: M, columns: ['id'] });
    expect(only(spec('unique', 'id', { where: 'id > 0' })).check).toBeUndefined();
    expect(only(spec('unique_combination_of_columns', undefined, { combination_of_columns: ['a', 'b'] })).check).toMatchObject({ kind: 'unique', columns: ['a', 'b'] });
    expect(only(spec('row_count', undefined, { min: 1 })).check).toBeUndefined();
  });

  it('one pass counts every test of a subject', () => {
    expect(onePassSql('"s"."t"', ['(a is null)', '(not (b > 0))'])).toBe(
      'select\n  count(*) filter (where (a is null)) as "0",\n  count(*) filter (where (not (b > 0))) as "1"\nfrom "s"."t" as m',
    );
  });
});
