import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import type { Manifest, Project } from '../../../scripts/core/types.ts';
import { loadProject } from '../../../scripts/load/index.ts';

const fixture = (name: string) => path.join(import.meta.dirname, '..', '..', 'fixtures', name);

describe('compiling the mini fixture', () => {
  let project: Project;
  let manifest: Manifest;
  beforeAll(async () => {
    project = await loadProject(fixture('mini'));
    manifest = compileProject(project, {});
  });
  const node = (name: string) => manifest.nodes.find((n) => n.name === name)!;

  it('orders the nodes topologically, ties by id', () => {
    expect(manifest.nodes.map((n) => n.id)).toEqual([
      'model.stg_customers', 'model.stg_orders', 'model.order_log', 'model.valid_orders', 'model.customers',
      'model.daily_orders', 'seed.segment_rules', 'model.customer_segments', 'model.segment_sizes',
    ]);
  });

  it('renders macros, sources and vars, leaving relation tokens for plan', () => {
    expect(node('stg_orders').sql).toBe(
      'select\n    order_id,\n    customer_id,\n    lower(status) as status,\n    round(amount_cents / 100.0, 2) as amount,\n    loaded_at\nfrom <<rel:source.shop.orders>>',
    );
    expect(node('stg_orders').sources).toEqual(['source.shop.orders']);
    expect(manifest.tokens['<<rel:seed.segment_rules>>']).toEqual({ token: '<<rel:seed.segment_rules>>', target: 'seed.segment_rules' });
    expect(manifest.vars).toEqual({ min_amount: 0, segment_names: ['low', 'mid', 'high'] });
  });

  it('renders an incremental model twice', () => {
    const log = node('order_log');
    expect(log.config).toMatchObject({ materialized: 'incremental', uniqueKey: ['order_id'], schema: 'silver' });
    expect(log.sql).toBe('select order_id, customer_id, amount, loaded_at\nfrom <<rel:model.stg_orders>>');
    expect(log.sqlIncremental).toBe(
      'select order_id, customer_id, amount, loaded_at\nfrom <<rel:model.stg_orders>>\n\nwhere loaded_at > (select max(loaded_at) from <<rel:this>>)',
    );
    expect(log.lineMapIncremental).toEqual([1, 2, 3, 4]);
    expect(node('customers').sqlIncremental).toBeUndefined();
  });

  it('inlines the ephemeral model into the with list and keeps its lines', () => {
    const customers = node('customers');
    expect(customers.sql!.split('\n').slice(0, 6)).toEqual([
      'with __strata_ephemeral__valid_orders as (',
      'select * from <<rel:model.stg_orders>>',
      'where amount > 0',
      '),',
      '-- one row per customer, with what they spent',
      ' totals as (',
    ]);
    expect(customers.lineMap).toEqual([4, 4, 4, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(customers.dependsOn).toEqual(['model.stg_customers', 'model.stg_orders', 'model.valid_orders']);
    expect(customers.config).toMatchObject({ materialized: 'table', schema: 'silver', pii: true });
  });

  it('applies folder defaults and configured folder tags', () => {
    expect(node('stg_customers').config).toEqual({ materialized: 'view', schema: 'bronze', tags: [], enabled: true, indexes: [], pii: false });
    expect(node('daily_orders').config).toMatchObject({ materialized: 'table', schema: 'gold', tags: ['gold'] });
    expect(node('customer_segments').config.tags).toEqual(['gold', 'segments']);
  });

  it('compiles the TS model and the seed as nodes', () => {
    expect(node('segment_sizes')).toMatchObject({
      language: 'ts', resourceType: 'model', dependsOn: ['model.customer_segments'],
      module: path.join(fixture('mini'), 'models/gold/segment_sizes.ts'), description: 'Customers per segment rank.',
      config: { materialized: 'table', schema: 'gold', tags: ['gold', 'ts'] },
    });
    expect(node('segment_sizes').sql).toBeUndefined();
    expect(node('segment_rules')).toMatchObject({
      id: 'seed.segment_rules', resourceType: 'seed', language: 'csv', path: 'seeds/segment_rules.csv',
      config: { materialized: 'seed', schema: 'bronze' }, dependsOn: [], description: 'Amount bands per segment.',
    });
  });

  it('compiles the YAML, freshness and singular tests', () => {
    expect(manifest.tests.map((t) => `${t.id} ${t.severity} ${t.attachedTo ?? '-'}`)).toEqual([
      'test.accepted_values.stg_orders.status warn model.stg_orders',
      'test.expression_is_true.customer_segments error model.customer_segments',
      'test.freshness_error.source.shop.orders error -',
      'test.freshness_warn.source.shop.orders warn -',
      'test.not_null.customers.customer_id error model.customers',
      'test.not_null.source.shop.orders.order_id error -',
      'test.not_null.stg_orders.order_id error model.stg_orders',
      'test.relationships.customer_segments.customer_id error model.customer_segments',
      'test.row_count.customer_segments error model.customer_segments',
      'test.singular.no_negative_totals warn model.customer_segments',
      'test.unique.customers.customer_id error model.customers',
      'test.unique.source.shop.orders.order_id error -',
      'test.unique.stg_orders.order_id error model.stg_orders',
    ]);
  });

  it('is deterministic: compiling twice gives equal manifests and identical JSON', async () => {
    const again = compileProject(await loadProject(fixture('mini')), {});
    expect(again).toEqual(manifest);
    expect(JSON.stringify(again)).toBe(JSON.stringify(manifest));
  });

  it('lets --vars override project vars', () => {
    const changed = compileProject(project, { vars: { min_amount: 25 } });
    expect(changed.nodes.find((n) => n.name === 'daily_orders')!.sql).toContain('where amount > 25');
    expect(changed.vars).toEqual({ min_amount: 25, segment_names: ['low', 'mid', 'high'] });
  });
});

describe('compiling the dbt jaffle fixture', () => {
  let manifest: Manifest;
  beforeAll(async () => {
    manifest = compileProject(await loadProject(fixture('dbt_jaffle')), {});
  });
  const node = (name: string) => manifest.nodes.find((n) => n.name === name)!;

  it('takes materialization and layer from dbt_project.yml folders', () => {
    expect(node('stg_orders').config).toMatchObject({ materialized: 'view', schema: 'staging' });
    expect(node('orders').config).toMatchObject({ materialized: 'table', schema: 'analytics' });
    expect(node('raw_orders').config).toMatchObject({ materialized: 'seed', schema: 'raw' });
    expect(node('stg_orders').dependsOn).toEqual(['seed.raw_orders']);
  });

  it('renders Jinja set/for/if with vars and macros', () => {
    const sql = node('orders').sql!;
    expect(sql).toContain("sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount,");
    expect(sql).toContain('        order_payments.coupon_amount,\n');
    expect(sql.trimEnd().endsWith('select * from final')).toBe(true);
    expect(node('stg_payments').sql).toContain('(amount / 100)::numeric(16, 2) as amount');
  });

  it('compiles the four generic tests and the singular test', () => {
    expect(manifest.tests.map((t) => t.test).sort()).toEqual([
      'accepted_values', 'accepted_values', 'accepted_values', 'freshness',
      'not_null', 'not_null', 'not_null', 'not_null', 'not_null', 'not_null', 'relationships', 'singular',
      'unique', 'unique', 'unique', 'unique', 'unique',
    ]);
  });
});
