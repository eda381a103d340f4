import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../../scripts/core/types.ts';
import { loadProject } from '../../../scripts/load/index.ts';

const dir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'mini');

describe('loading the mini fixture (a strata project: schema.yml only)', () => {
  let project: Project;
  beforeAll(async () => {
    project = await loadProject(dir);
  });

  it('reads the project block with defaults for what it leaves out', () => {
    expect(project.settings).toEqual({
      name: 'mini', dir, vars: { min_amount: 0, segment_names: ['low', 'mid', 'high'] },
      biRole: 'strata_bi', biLayers: ['gold'], keepBuilds: 3, metadataSchema: 'strata_meta',
    });
  });

  it('finds SQL and TS models with their folder config', () => {
    expect(project.models.map((m) => [m.name, m.path, m.language, m.folderConfig])).toEqual([
      ['stg_customers', 'models/bronze/stg_customers.sql', 'sql', { schema: 'bronze', materialized: 'view' }],
      ['stg_orders', 'models/bronze/stg_orders.sql', 'sql', { schema: 'bronze', materialized: 'view' }],
      ['customer_segments', 'models/gold/customer_segments.sql', 'sql', { schema: 'gold', materialized: 'table', tags: ['gold'] }],
      ['daily_orders', 'models/gold/daily_orders.sql', 'sql', { schema: 'gold', materialized: 'table', tags: ['gold'] }],
      ['segment_sizes', 'models/gold/segment_sizes.ts', 'ts', { schema: 'gold', materialized: 'table', tags: ['gold'] }],
      ['customers', 'models/silver/customers.sql', 'sql', { schema: 'silver', materialized: 'view' }],
      ['order_log', 'models/silver/order_log.sql', 'sql', { schema: 'silver', materialized: 'view' }],
      ['valid_orders', 'models/silver/valid_orders.sql', 'sql', { schema: 'silver', materialized: 'view' }],
    ]);
    expect(project.models[2]!.text.startsWith("{{ config(materialized='table', tags=['segments']) }}\n")).toBe(true);
  });

  it("reads a TS model's declaration by importing it", () => {
    expect(project.models.find((m) => m.name === 'segment_sizes')!.ts).toEqual({
      dependsOn: ['customer_segments'],
      config: { tags: ['ts'] },
      description: 'Customers per segment rank.',
      module: path.join(dir, 'models/gold/segment_sizes.ts'),
    });
  });

  it('reads seeds (bronze in a strata project), macros and singular tests', () => {
    expect(project.seeds).toEqual([
      { name: 'segment_rules', path: 'seeds/segment_rules.csv', columnTypes: { min_amount: 'numeric' }, folderConfig: { schema: 'bronze' } },
    ]);
    expect(project.macros.map((m) => m.path)).toEqual(['macros/cents.sql']);
    expect(project.singularTests.map((t) => [t.name, t.path])).toEqual([['no_negative_totals', 'tests/data/no_negative_totals.sql']]);
  });

  it('reads sources with dbt defaults and inherited freshness', () => {
    expect(project.sources).toEqual([
      {
        source: 'shop', name: 'orders', schema: 'shop_raw', identifier: 'orders',
        description: 'Orders as the shop system writes them.', loadedAtField: 'loaded_at',
        freshness: { warnAfterSeconds: 43_200, errorAfterSeconds: 172_800 },
        columns: [{ name: 'order_id', tests: [
          { test: 'unique', column: 'order_id', args: {}, severity: 'error', location: { file: 'schema.yml', line: 25 } },
          { test: 'not_null', column: 'order_id', args: {}, severity: 'error', location: { file: 'schema.yml', line: 25 } },
        ] }],
        tests: [], location: { file: 'schema.yml', line: 21 },
      },
      {
        source: 'shop', name: 'customers', schema: 'shop_raw', identifier: 'customer_master', loadedAtField: 'loaded_at',
        columns: [], tests: [], location: { file: 'schema.yml', line: 26 },
      },
    ]);
  });

  it('reads model properties with the line of every entry and test', () => {
    const stg = project.properties.get('stg_orders')!;
    expect(stg.location).toEqual({ file: 'schema.yml', line: 37 });
    expect(stg.columns[0]).toMatchObject({ name: 'order_id', description: 'The order.', dataType: 'bigint' });
    expect(stg.columns[1]!.tests).toEqual([
      { test: 'accepted_values', column: 'status', args: { values: ['placed', 'shipped', 'returned'] }, severity: 'warn', location: { file: 'schema.yml', line: 46 } },
    ]);
    expect(project.properties.get('customers')!.columns[0]!.tests[1]).toEqual(
      { test: 'not_null', column: 'customer_id', args: { where: 'customer_id > 0' }, severity: 'error', location: { file: 'schema.yml', line: 64 } },
    );
    expect(project.properties.get('customer_segments')!.tests).toEqual([
      { test: 'expression_is_true', args: { expression: 'total_amount >= 0' }, severity: 'error', location: { file: 'schema.yml', line: 69 } },
      { test: 'row_count', args: { min: 1 }, severity: 'error', location: { file: 'schema.yml', line: 71 } },
    ]);
    expect(project.properties.get('order_log')!.config).toEqual({ materialized: 'incremental', unique_key: 'order_id' });
    expect(project.properties.get('segment_rules')!.description).toBe('Amount bands per segment.');
  });
});
