import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import type { CompiledTest } from '../../../scripts/core/types.ts';
import { makeProject, spec } from './project.ts';

const M = '<<rel:model.orders>>';

function compileTests(tests: ReturnType<typeof spec>[], extra: Parameters<typeof makeProject>[0] = {}): readonly CompiledTest[] {
  return compileProject(makeProject({
    models: { 'models/gold/orders.sql': 'select 1 as id', 'models/gold/customers.sql': 'select 1 as id', ...(extra.models ?? {}) },
    properties: [{ name: 'orders', tests }],
    ...(extra.sources ? { sources: extra.sources } : {}),
  })).tests;
}

function only(test: ReturnType<typeof spec>): CompiledTest {
  const [compiled, ...rest] = compileTests([test]);
  expect(rest).toEqual([]);
  return compiled!;
}

describe('generic test SQL', () => {
  it('not_null', () => {
    const t = only(spec('not_null', 'id'));
    expect(t.sql).toBe(`select * from ${M} where id is null`);
    expect(t).toMatchObject({ id: 'test.not_null.orders.id', name: 'not_null_orders_id', attachedTo: 'model.orders', column: 'id', severity: 'error', dependsOn: ['model.orders'], sources: [] });
    expect(t.location).toEqual({ file: 'schema.yml', line: 10 });
  });

  it('unique', () => {
    expect(only(spec('unique', 'id')).sql).toBe(
      `select id, count(*) as n_records from ${M} where id is not null group by id having count(*) > 1`,
    );
  });

  it('accepted_values, quoted by default and raw with quote: false', () => {
    expect(only(spec('accepted_values', 'status', { values: ['placed', "o'k"] })).sql).toBe(
      `select status as value_field, count(*) as n_records from ${M} where status not in ('placed', 'o''k') group by status`,
    );
    expect(only(spec('accepted_values', 'n', { values: [1, 2], quote: false })).sql).toBe(
      `select n as value_field, count(*) as n_records from ${M} where n not in (1, 2) group by n`,
    );
  });

  it('relationships, reading both relations and attached to the later one', () => {
    const t = only(spec('relationships', 'customer_id', { to: "ref('customers')", field: 'id' }));
    expect(t.sql).toBe(
      `select child.customer_id from ${M} as child left join <<rel:model.customers>> as parent on child.customer_id = parent.id` +
        ' where child.customer_id is not null and parent.id is null',
    );
    expect(t.dependsOn).toEqual(['model.customers', 'model.orders']);
    expect(t.attachedTo).toBe('model.orders');
  });

  it('expression_is_true at model and column level', () => {
    // tests come sorted by id: the model-level one first
    const [model, column] = compileTests([spec('expression_is_true', 'amount', { expression: '>= 0' }), spec('expression_is_true', undefined, { expression: 'a < b' })]);
    expect(column!.sql).toBe(`select * from ${M} where not (amount >= 0)`);
    expect(model!.sql).toBe(`select * from ${M} where not (a < b)`);
    expect(model!.id).toBe('test.expression_is_true.orders');
  });

  it('unique_combination_of_columns', () => {
    expect(only(spec('unique_combination_of_columns', undefined, { combination_of_columns: ['a', 'b'] })).sql).toBe(
      `select a, b, count(*) as n_records from ${M} group by a, b having count(*) > 1`,
    );
  });

  it('row_count with min, max or both', () => {
    expect(only(spec('row_count', undefined, { min: 1, max: 10 })).sql).toBe(
      `select count(*) as row_count from ${M} having count(*) < 1 or count(*) > 10`,
    );
    expect(only(spec('row_count', undefined, { max: 5 })).sql).toBe(`select count(*) as row_count from ${M} having count(*) > 5`);
  });

  it('filters the tested relation with where', () => {
    expect(only(spec('not_null', 'id', { where: "status = 'x'" })).sql).toBe(
      `select * from (select * from ${M} where status = 'x') as m where id is null`,
    );
    expect(only(spec('relationships', 'c', { to: "ref('customers')", field: 'id', where: 'c > 0' })).sql).toBe(
      `select child.c from (select * from ${M} where c > 0) as child left join <<rel:model.customers>> as parent on child.c = parent.id` +
        ' where child.c is not null and parent.id is null',
    );
  });

  it('gives tests that share a base id a stable hash, and a custom name its own id', () => {
    const ids = compileTests([
      spec('accepted_values', 'status', { values: ['a'] }),
      spec('accepted_values', 'status', { values: ['b'] }),
      spec('not_null', 'id', { name: 'orders_have_ids' }),
    ]).map((t) => t.id);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^test\.accepted_values\.orders\.status\.[0-9a-f]{8}$/);
    expect(ids[1]).toMatch(/^test\.accepted_values\.orders\.status\.[0-9a-f]{8}$/);
    expect(ids[2]).toBe('test.orders_have_ids');
    expect(compileTests([spec('accepted_values', 'status', { values: ['a'] }), spec('accepted_values', 'status', { values: ['b'] })]).map((t) => t.id)).toEqual(ids.slice(0, 2));
  });

  it('makes a warn and an error freshness test for a source table', () => {
    const tests = compileProject(makeProject({
      sources: [{ source: 'shop', name: 'orders', loadedAtField: 'loaded_at', freshness: { warnAfterSeconds: 3600, errorAfterSeconds: 86400 } }],
    })).tests;
    expect(tests.map((t) => [t.id, t.severity, t.attachedTo, t.sources])).toEqual([
      ['test.freshness_error.source.shop.orders', 'error', undefined, ['source.shop.orders']],
      ['test.freshness_warn.source.shop.orders', 'warn', undefined, ['source.shop.orders']],
    ]);
    expect(tests[1]!.sql).toBe(
      "select max(loaded_at) as max_loaded_at from <<rel:source.shop.orders>> having max(loaded_at) is null or max(loaded_at) < now() - interval '3600 seconds'",
    );
  });

  it('reports bad arguments at the test line', () => {
    const project = makeProject({
      models: { 'models/gold/orders.sql': 'select 1' },
      properties: [{ name: 'orders', tests: [
        spec('accepted_values', 'status', {}, 4),
        spec('relationships', 'c', { to: "ref('custmers')", field: 'id' }, 5),
        spec('not_null', undefined, {}, 6),
        spec('unique', 'id', { vales: [1] }, 7),
      ] }],
    });
    let messages: string[] = [];
    try {
      compileProject(project);
    } catch (error) {
      messages = (error as { errors: { message: string }[] }).errors.map((e) => e.message);
    }
    expect(messages).toEqual([
      "model orders (schema.yml:4): test accepted_values on column status needs 'values': a non-empty list of strings, numbers or booleans",
      "model orders (schema.yml:5): test relationships on column c 'to' refers to 'custmers', which does not exist",
      'model orders (schema.yml:6): test not_null must be declared on a column (or given column_name)',
      "model orders (schema.yml:7): test unique on column id has unknown argument 'vales' (it takes none)",
    ]);
  });
});

describe('singular tests', () => {
  it('render like models, take severity from config and attach to their last input', () => {
    const tests = compileProject(makeProject({
      models: { 'models/gold/a.sql': 'select 1 as x', 'models/gold/b.sql': "select * from {{ ref('a') }}" },
      tests: { 'tests/data/b_positive.sql': "{{ config(severity='warn') }}\nselect * from {{ ref('b') }} join {{ ref('a') }} using (x) where x < {{ var('floor', 0) }}" },
    })).tests;
    expect(tests).toEqual([{
      id: 'test.singular.b_positive',
      name: 'singular_b_positive',
      attachedTo: 'model.b',
      test: 'singular',
      severity: 'warn',
      sql: '\nselect * from <<rel:model.b>> join <<rel:model.a>> using (x) where x < 0',
      definition: expect.stringMatching(/^[0-9a-f]{16}$/),
      dependsOn: ['model.a', 'model.b'],
      sources: [],
      location: { file: 'tests/data/b_positive.sql', line: 1 },
    }]);
  });
});
