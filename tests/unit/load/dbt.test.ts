import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../../scripts/core/types.ts';
import { loadProject } from '../../../scripts/load/index.ts';

const dir = path.join(import.meta.dirname, '..', '..', 'fixtures', 'dbt_jaffle');

describe('loading the dbt jaffle fixture (dbt_project.yml, property files under models/)', () => {
  let project: Project;
  beforeAll(async () => {
    project = await loadProject(dir);
  });

  it('reads name and vars, ignoring the dbt keys that do nothing here', () => {
    expect(project.settings.name).toBe('jaffle_shop');
    expect(project.settings.vars).toEqual({ payment_methods: ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] });
  });

  it('applies the folder config tree under the project name, deepest last', () => {
    const config = Object.fromEntries(project.models.map((m) => [m.name, m.folderConfig]));
    expect(config).toEqual({
      customers: { schema: 'analytics', materialized: 'table' },
      orders: { schema: 'analytics', materialized: 'table' },
      stg_customers: { schema: 'staging', materialized: 'view' },
      stg_orders: { schema: 'staging', materialized: 'view' },
      stg_payments: { schema: 'staging', materialized: 'view' },
    });
    expect(project.seeds.map((s) => [s.name, s.folderConfig])).toEqual([
      ['raw_customers', { schema: 'raw' }],
      ['raw_orders', { schema: 'raw' }],
    ]);
  });

  it('reads every property file under the model paths', () => {
    expect([...project.properties.keys()].sort()).toEqual(['customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments']);
    expect(project.properties.get('stg_orders')!.location).toEqual({ file: 'models/staging/schema.yml', line: 11 });
    expect(project.sources.map((s) => [s.source, s.name, s.schema, s.loadedAtField, s.freshness])).toEqual([
      ['stripe', 'payment', 'stripe', '_batched_at', { warnAfterSeconds: 86_400 }],
    ]);
    const relationships = project.properties.get('orders')!.columns[1]!.tests[1]!;
    expect(relationships).toEqual({
      test: 'relationships', column: 'customer_id', args: { to: "ref('customers')", field: 'customer_id' }, severity: 'error',
      location: { file: 'models/schema.yml', line: 25 },
    });
  });

  it("takes singular tests from dbt's default tests/ folder", () => {
    expect(project.singularTests.map((t) => t.path)).toEqual(['tests/assert_total_payment_amount_is_positive.sql']);
    expect(project.macros.map((m) => m.path)).toEqual(['macros/cents_to_dollars.sql']);
  });
});
