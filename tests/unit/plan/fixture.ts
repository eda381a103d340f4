import type { CompiledNode, CompiledTest, Manifest, NodeConfig, RelationToken, SourceTable } from '../../../scripts/core/types.ts';

/** A small shop project: two sources, a seed, staging views, an ephemeral, marts, a snapshot, a TS model. */
export function shopManifest(): Manifest {
  const nodes: CompiledNode[] = [
    node('seed.rfm_rules', { resourceType: 'seed', language: 'csv', path: 'seeds/rfm_rules.csv' }, { materialized: 'seed', schema: 'silver' }),
    node('model.stg_orders', { path: 'models/bronze/stg_orders.sql', sources: ['source.shop.orders'],
      sql: 'select *\nfrom <<rel:source.shop.orders>>', lineMap: [1, 2] }, { materialized: 'view', schema: 'bronze', tags: ['bronze'] }),
    node('model.stg_customers', { path: 'models/bronze/stg_customers.sql', sources: ['source.shop.customers'],
      sql: 'select * from <<rel:source.shop.customers>>' }, { materialized: 'view', schema: 'bronze', tags: ['bronze', 'pii'] }),
    node('model.orders_enriched', { path: 'models/silver/orders_enriched.sql', dependsOn: ['model.stg_orders'],
      sql: 'select * from <<rel:model.stg_orders>>' }, { materialized: 'ephemeral', schema: 'silver' }),
    node('model.customer_orders', { path: 'models/silver/customer_orders.sql', dependsOn: ['model.orders_enriched', 'model.stg_customers'],
      sql: 'with orders_enriched as (select * from <<rel:model.stg_orders>>)\nselect * from orders_enriched\njoin <<rel:model.stg_customers>> using (customer_id)' },
      { materialized: 'table', schema: 'silver', indexes: [{ columns: ['customer_id'], unique: true }] }),
    node('model.customers', { path: 'models/gold/customers.sql', dependsOn: ['model.customer_orders', 'seed.rfm_rules'],
      sql: 'select * from <<rel:model.customer_orders>>\ncross join <<rel:seed.rfm_rules>>' }, { materialized: 'table', schema: 'gold', tags: ['gold'] }),
    node('model.customer_history', { path: 'models/gold/customer_history.sql', dependsOn: ['model.customers'],
      sql: 'select * from <<rel:model.customers>>' },
      { materialized: 'snapshot', schema: 'gold', tags: ['gold', 'history'], uniqueKey: ['customer_id'], strategy: 'check', checkCols: 'all' }),
    node('model.daily_orders', { path: 'models/gold/daily_orders.sql', dependsOn: ['model.stg_orders'],
      sql: 'select * from <<rel:model.stg_orders>>', lineMap: [3],
      sqlIncremental: 'select * from <<rel:model.stg_orders>>\nwhere day > (select max(day) from <<rel:this>>)', lineMapIncremental: [3, 5] },
      { materialized: 'incremental', schema: 'gold', alias: 'orders_daily', tags: ['gold'], uniqueKey: ['day'] }),
    node('model.clusters', { path: 'models/gold/clusters.ts', language: 'ts', dependsOn: ['model.customers', 'seed.rfm_rules'], module: '/p/models/gold/clusters.ts' },
      { materialized: 'table', schema: 'gold', tags: ['gold', 'ml'] }),
  ];
  const tests: CompiledTest[] = [
    test('test.not_null.customers.customer_id', 'model.customers', 'select * from <<rel:model.customers>> where customer_id is null'),
    test('test.relationships.customers.customer_id', 'model.customers',
      'select * from <<rel:model.customers>> c where not exists (select 1 from <<rel:model.stg_customers>> s where s.customer_id = c.customer_id)'),
    { ...test('test.source_not_null.shop.orders.order_id', undefined, 'select * from <<rel:source.shop.orders>> where order_id is null'), sources: ['source.shop.orders'] },
  ];
  const sources = [source('orders', 'orders_raw'), source('customers', 'customers_raw')];
  return { projectName: 'shop', nodes, tests, sources, tokens: tokensOf(nodes, tests), vars: {} };
}

/** A node from the fields a test cares about; SQL nodes may leave out their line map here. */
export function node(id: string, fields: Partial<CompiledNode>, config: Partial<NodeConfig>): CompiledNode {
  const name = id.slice(id.indexOf('.') + 1);
  return <CompiledNode>{
    id, name, resourceType: 'model', language: 'sql', path: `models/${name}.sql`, columns: [],
    dependsOn: [], sources: [],
    ...fields,
    config: { materialized: 'view', schema: 'gold', tags: [], enabled: true, indexes: [], pii: false, ...config },
  };
}

function test(id: string, attachedTo: string | undefined, sql: string): CompiledTest {
  return {
    id, name: id, ...(attachedTo ? { attachedTo } : {}), test: 'not_null', severity: 'error', sql, definition: id,
    dependsOn: attachedTo ? [attachedTo] : [], sources: [], location: { file: 'models/schema.yml', line: 1 },
  };
}

function source(name: string, identifier: string): SourceTable {
  return { source: 'shop', name, schema: 'raw', identifier, columns: [], tests: [], location: { file: 'models/sources.yml', line: 1 } };
}

function tokensOf(nodes: readonly CompiledNode[], tests: readonly CompiledTest[]): Record<string, RelationToken> {
  const texts = [...nodes.flatMap((n) => [n.sql ?? '', n.sqlIncremental ?? '']), ...tests.map((t) => t.sql)].join('\n');
  const out: Record<string, RelationToken> = {};
  for (const m of texts.matchAll(/<<rel:([^>]+)>>/g)) out[m[0]] = { token: m[0], target: m[1]! };
  return out;
}
