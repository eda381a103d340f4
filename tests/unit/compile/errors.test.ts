import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import { CompileErrors } from '../../../scripts/core/errors.ts';
import { compileErrors, makeProject } from './project.ts';

describe('compile errors', () => {
  it('names an unknown ref with its line and the closest name', () => {
    const errors = compileErrors(makeProject({
      models: {
        'models/gold/customers.sql': 'select 1 as id',
        'models/gold/orders.sql': 'select *\nfrom {{ ref("orders_raw") }}\njoin {{ ref(\'custmers\') }} using (id)',
        'models/gold/orders_raw.sql': 'select 1 as id',
      },
    }));
    expect(errors.map((e) => e.message)).toEqual([
      "model orders (models/gold/orders.sql:3): refers to 'custmers', which does not exist; did you mean 'customers'?",
    ]);
    expect(errors[0]!.location).toEqual({ file: 'models/gold/orders.sql', line: 3 });
  });

  it('names an unknown source with table and the declared ones', () => {
    const errors = compileErrors(makeProject({
      models: { 'models/bronze/stg.sql': 'select 1\nfrom {{ source("shop", "ordrs") }}' },
      sources: [{ source: 'shop', name: 'orders' }, { source: 'shop', name: 'customers' }],
    }));
    expect(errors.map((e) => e.message)).toEqual([
      "model stg (models/bronze/stg.sql:2): refers to source 'shop.ordrs', which does not exist; did you mean 'shop.orders'? (declared sources: shop.customers, shop.orders)",
    ]);
  });

  it('gives a template syntax error the line of the model file', () => {
    const errors = compileErrors(makeProject({
      models: { 'models/gold/a.sql': 'select 1\n\n{% if %}\nfrom x' },
    }));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.location).toEqual({ file: 'models/gold/a.sql', line: 3 });
    expect(errors[0]!.message).toMatch(/^model a \(models\/gold\/a\.sql:3\): template error: unexpected token/);
  });

  it('gives a template render error the line of the model file (nunjucks counts those from 0)', () => {
    const errors = compileErrors(makeProject({
      models: { 'models/gold/a.sql': 'select 1\n\n\n  {{ not_a_macro() }}' },
    }));
    expect(errors[0]!.location?.line).toBe(4);
    expect(errors[0]!.detail).toBe('template error: Unable to call `not_a_macro`, which is undefined or falsey');
  });

  it('reports a var with no value and no default at its line', () => {
    const project = makeProject({
      models: { 'models/gold/a.sql': "select 1\nwhere x > {{ var('churn_days') }}\nand y < {{ var('other', 3) }}" },
    });
    const errors = compileErrors(project);
    expect(errors.map((e) => e.message)).toEqual([
      "model a (models/gold/a.sql:2): var 'churn_days' has no value and no default; set it in the project's vars or pass it with --vars",
    ]);
    const manifest = compileProject(project, { vars: { churn_days: 90 } });
    expect(manifest.nodes[0]!.sql).toBe('select 1\nwhere x > 90\nand y < 3');
  });

  it('prints a cycle once, as its full chain with files and lines', () => {
    const errors = compileErrors(makeProject({
      models: {
        'models/gold/a.sql': 'select * from {{ ref("b") }}',
        'models/gold/b.sql': 'select 1\nfrom {{ ref("c") }}',
        'models/gold/c.sql': '-- c\n\nselect * from {{ ref("a") }}',
        'models/gold/d.sql': 'select * from {{ ref("a") }}',
      },
    }));
    expect(errors.map((e) => e.message)).toEqual([
      'model a (models/gold/a.sql:1): dependency cycle (each refers to the next): ' +
        'a (models/gold/a.sql:1) → b (models/gold/b.sql:2) → c (models/gold/c.sql:3) → a',
    ]);
  });

  it('reports a ref in a TS model that dependsOn does not declare, at its line', () => {
    const text = [
      "import { defineModel } from '../../scripts/core/ts-model.ts';",
      'export default defineModel({',
      "  dependsOn: ['customers'],",
      '  async run({ ref }) {',
      "    const a = ref('customers');",
      "    const b = ref('customer_features');",
      '  },',
      '});',
    ].join('\n');
    const errors = compileErrors(makeProject({
      models: { 'models/gold/customers.sql': 'select 1', 'models/gold/customer_features.sql': 'select 1' },
      tsModels: { 'models/gold/segments.ts': { text, dependsOn: ['customers'] } },
    }));
    expect(errors.map((e) => e.message)).toEqual([
      "model segments (models/gold/segments.ts:6): TS model uses 'customer_features' but does not declare it in dependsOn",
    ]);
  });

  it('rejects a TS model materialized as anything but a table, and a ref to a disabled model', () => {
    const errors = compileErrors(makeProject({
      models: {
        'models/gold/old.sql': "{{ config(enabled=false) }}\nselect 1",
        'models/gold/uses_old.sql': 'select 1\nfrom {{ ref("old") }}',
      },
      tsModels: { 'models/silver/fit.ts': { text: 'x', dependsOn: [], config: { materialized: 'view' } } },
    }));
    expect(errors.map((e) => e.detail)).toEqual([
      "config materialized must be one of table, got 'view'",
      "refers to 'old', which is disabled (enabled: false)",
    ]);
  });

  it('gathers every error of the project at once, in one CompileErrors', () => {
    const project = makeProject({
      models: {
        'models/gold/a.sql': '{{ config(materialised="table") }}\nselect * from {{ ref("nope") }}',
        'models/gold/b.sql': 'select {{ broken',
        'models/gold/c.sql': "select {{ var('missing') }}",
      },
      properties: [{ name: 'ghost', location: { file: 'models/schema.yml', line: 7 } }],
    });
    let thrown: unknown;
    try {
      compileProject(project);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CompileErrors);
    const errors = (thrown as CompileErrors).errors;
    expect(errors.map((e) => `${e.location?.file}:${e.location?.line} ${e.detail}`)).toEqual([
      "models/gold/a.sql:1 unknown config key 'materialised'; did you mean 'materialized'?",
      'models/gold/b.sql:1 template error: expected variable end',
      "models/gold/c.sql:1 var 'missing' has no value and no default; set it in the project's vars or pass it with --vars",
      "models/schema.yml:7 properties for 'ghost', but no model or seed is named 'ghost'",
      "models/gold/a.sql:2 refers to 'nope', which does not exist",
    ]);
    expect((thrown as CompileErrors).message).toMatch(/^5 compile errors:\n {2}- model a \(models\/gold\/a\.sql:1\): unknown config key/);
  });

  it('rejects a model and a seed with one name, and an unknown generic test', () => {
    const errors = compileErrors(makeProject({
      models: { 'models/gold/regions.sql': 'select 1', 'models/gold/a.sql': 'select 1 as id' },
      seeds: ['seeds/regions.csv'],
      properties: [{ name: 'a', tests: [{ test: 'uniq', column: 'id', args: {}, severity: 'error', location: { file: 'schema.yml', line: 4 } }] }],
    }));
    expect(errors.map((e) => e.message)).toEqual([
      "seed regions (seeds/regions.csv:1): has the same name as model models/gold/regions.sql; ref('regions') would be ambiguous",
      'model a (schema.yml:4): test uniq on column id is not a generic test strata knows; did you mean \'unique\'? ' +
        '(known: not_null, unique, accepted_values, relationships, expression_is_true, unique_combination_of_columns, row_count)',
    ]);
  });
});
