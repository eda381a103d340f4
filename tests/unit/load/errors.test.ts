import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import { loadProject } from '../../../scripts/load/index.ts';
import { loadErrors, removeProjects, writeProject } from './temp-project.ts';

afterAll(removeProjects);

describe('load errors', () => {
  it('needs schema.yml or dbt_project.yml', async () => {
    const dir = await writeProject({ 'models/a.sql': 'select 1' });
    await expect(loadProject(dir)).rejects.toThrow(UsageError);
    await expect(loadProject(dir)).rejects.toThrow(/neither schema\.yml nor dbt_project\.yml/);
  });

  it('reports a YAML syntax error with its file and line', async () => {
    expect(await loadErrors({
      'schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns: [a,\n  - name: b\n',
    })).toEqual(['schema.yml:5 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });

  it('gathers every structural problem of the property files, each at its line', async () => {
    const schema = [
      'version: 2', //                                      1
      'models:', //                                         2
      '  - description: no name here', //                   3
      '  - name: orders', //                                4
      '    descripton: typo', //                            5
      '    columns:', //                                    6
      '      - description: nameless column', //            7
      '      - name: status', //                            8
      '        tests:', //                                  9
      '          - unique: {severity: fatal}', //           10
      '          - {not_null: {}, unique: {}}', //          11
      '          - accepted_values:', //                    12
      '              values: [a]', //                       13
      '              config: {store_failures: true}', //    14
      'sources:', //                                        15
      '  - name: shop', //                                  16
      '    freshness: {warn_after: {count: 1, period: week}}', // 17
      '    tables: [{name: orders}]', //                    18
    ].join('\n');
    expect(await loadErrors({ 'schema.yml': schema, 'models/orders.sql': 'select 1' })).toEqual([
      'schema.yml:3 an entry of \'models\' has no name',
      "schema.yml:5 unknown key 'descripton' in model 'orders'; did you mean 'description'?",
      'schema.yml:7 a column entry needs a name',
      "schema.yml:10 test severity must be 'error' or 'warn', got \"fatal\"",
      'schema.yml:11 a test must be a name (unique) or a map with one key (accepted_values: {values: [...]})',
      "schema.yml:14 test config 'store_failures' is not supported by strata (known: severity, where, enabled, tags, meta)",
      "schema.yml:17 a freshness threshold needs a positive 'count' and a 'period' of minute, hour or day",
    ]);
  });

  it('names both files of two models with one name', async () => {
    expect(await loadErrors({
      'schema.yml': 'version: 2\n',
      'models/silver/orders.sql': 'select 1',
      'models/gold/orders.sql': 'select 2',
    })).toEqual(["models/silver/orders.sql:1 two models are named 'orders': models/gold/orders.sql and models/silver/orders.sql"]);
  });

  it('rejects properties declared twice and a source table declared twice', async () => {
    expect(await loadErrors({
      'schema.yml': 'version: 2\nmodels:\n  - name: a\nsources:\n  - name: s\n    tables: [{name: t}]\n',
      'models/a.yml': 'version: 2\nmodels:\n  - name: a\nsources:\n  - name: s\n    tables:\n      - name: t\n',
      'models/a.sql': 'select 1',
    })).toEqual([
      "models/a.yml:3 properties for 'a' are declared twice (also at schema.yml:3)",
      "models/a.yml:7 source table 's.t' is declared twice (also at schema.yml:6)",
    ]);
  });

  it('checks the project block and dbt_project.yml keys', async () => {
    expect(await loadErrors({
      'schema.yml': 'version: 2\nproject:\n  keep_builds: 0\n  bi_roles: x\n',
    })).toEqual([
      "schema.yml:4 unknown key 'bi_roles' in schema.yml's project block; did you mean 'bi_role'?",
      'schema.yml:3 keep_builds must be a whole number of at least 1',
    ]);
    expect(await loadErrors({
      'dbt_project.yml': "name: shop\non-run-start: ['grant …']\nmodels:\n  shpo:\n    +materialized: table\n",
    })).toEqual([
      "dbt_project.yml:2 dbt_project.yml key 'on-run-start' is not supported by strata",
      "dbt_project.yml:5 'models: shpo:' does not name this project ('shop'); folder configs go under 'models: shop:'",
    ]);
  });

  it('reports a TS model without a default export', async () => {
    expect(await loadErrors({
      'schema.yml': 'version: 2\n',
      'models/gold/fit.ts': 'export const x = 1;\n',
    })).toEqual(['models/gold/fit.ts:1 a TS model must `export default defineModel({ dependsOn, run })`']);
  });
});

describe('test entries in YAML', () => {
  it('reads tests and data_tests, old-style severity, dbt 1.10 arguments, column_name and enabled', async () => {
    const dir = await writeProject({
      'schema.yml': [
        'version: 2',
        'models:',
        '  - name: a',
        '    tests:',
        '      - dbt_utils.unique_combination_of_columns:',
        '          combination_of_columns: [x, y]',
        '          severity: WARN',
        '      - unique: {column_name: "x || y"}',
        '    data_tests:',
        '      - accepted_values:',
        '          arguments: {values: [1, 2], quote: false}',
        '          config: {where: "x > 0", severity: warn}',
        '      - not_null: {column_name: x, config: {enabled: false}}',
      ].join('\n'),
      'models/a.sql': 'select 1',
    });
    const project = await loadProject(dir);
    expect(project.properties.get('a')!.tests).toEqual([
      { test: 'unique_combination_of_columns', args: { combination_of_columns: ['x', 'y'] }, severity: 'warn', location: { file: 'schema.yml', line: 5 } },
      { test: 'unique', column: 'x || y', args: {}, severity: 'error', location: { file: 'schema.yml', line: 8 } },
      { test: 'accepted_values', args: { values: [1, 2], quote: false, where: 'x > 0' }, severity: 'warn', location: { file: 'schema.yml', line: 10 } },
    ]);
  });
});
