import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import type { PublishedState } from '../../../scripts/core/types.ts';
import { planBuild } from '../../../scripts/plan/plan-build.ts';
import { selectNodes } from '../../../scripts/plan/select.ts';
import { shopManifest } from './fixture.ts';

const m = shopManifest();
const none: PublishedState = { buildId: null, relations: {}, stored: {} };
const all = selectNodes(m, { select: [], exclude: [] });
const published: PublishedState = {
  buildId: 7,
  relations: Object.fromEntries(
    m.nodes
      .filter((n) => n.config.materialized !== 'ephemeral')
      .map((n) => [n.id, { schema: `${n.config.schema}__b000007`, name: n.config.alias ?? n.name }]),
  ),
  stored: Object.fromEntries(
    m.nodes
      .filter((n) => n.config.materialized !== 'ephemeral' && n.config.materialized !== 'view')
      .map((n) => [n.id, { partition: { schema: 'strata_store', name: `${n.name}__b7` }, gen: 7, dataBuild: 7, versioned: true }]),
  ),
};
const byId = (plan: ReturnType<typeof planBuild>, id: string) => plan.nodes.find((p) => p.node.id === id)!;

describe('planBuild', () => {
  it('names the build, its schemas and every target; ephemeral nodes are not planned', () => {
    const plan = planBuild(m, { buildId: 42, selected: all, published: none, fullRefresh: false });
    expect(plan.buildTag).toBe('b000042');
    expect(plan.schemas).toEqual({ bronze: 'bronze__b000042', gold: 'gold__b000042', silver: 'silver__b000042' });
    expect(plan.nodes.map((p) => p.node.name)).toEqual([
      'rfm_rules', 'stg_orders', 'stg_customers', 'customer_orders', 'customers', 'customer_history', 'daily_orders', 'clusters',
    ]);
    const daily = byId(plan, 'model.daily_orders');
    expect(daily.target).toEqual({ schema: 'gold__b000042', name: 'orders_daily' });
    expect(daily.publicRelation).toEqual({ schema: 'gold', name: 'orders_daily' });
    expect(daily.previous).toBeUndefined();
    expect(daily.isIncremental).toBe(false);
  });

  it('resolves tokens to this build, sources to physical tables, keeping line counts', () => {
    const plan = planBuild(m, { buildId: 42, selected: all, published: none, fullRefresh: false });
    expect(byId(plan, 'model.stg_orders').sql).toBe('select *\nfrom "raw"."orders_raw"');
    expect(byId(plan, 'model.stg_orders').lineMap).toEqual([1, 2]);
    // a view model's public view is its SQL over public relations; stored nodes have none
    expect(byId(plan, 'model.stg_orders').publicSql).toBe('select *\nfrom "raw"."orders_raw"');
    expect(byId(plan, 'model.customers').publicSql).toBeUndefined();
    const co = byId(plan, 'model.customer_orders');
    expect(co.sql).toBe(
      'with orders_enriched as (select * from "bronze__b000042"."stg_orders")\nselect * from orders_enriched\njoin "bronze__b000042"."stg_customers" using (customer_id)',
    );
    expect(co.sql!.split('\n')).toHaveLength(m.nodes.find((n) => n.id === co.node.id)!.sql!.split('\n').length);
    expect(byId(plan, 'model.customers').sql).toBe(
      'select * from "silver__b000042"."customer_orders"\ncross join "silver__b000042"."rfm_rules"',
    );
  });

  it('reads unselected nodes from their published relation', () => {
    const selected = selectNodes(m, { select: ['customers'], exclude: [] });
    const plan = planBuild(m, { buildId: 8, selected, published, fullRefresh: false });
    expect(plan.nodes.map((p) => p.node.id)).toEqual(['model.customers']);
    expect(plan.schemas).toEqual({ gold: 'gold__b000008' });
    expect(plan.nodes[0]!.sql).toBe('select * from "silver__b000007"."customer_orders"\ncross join "silver__b000007"."rfm_rules"');
    expect(plan.publishRelations['model.customers']).toEqual({ schema: 'gold__b000008', name: 'customers' });
    expect(plan.publishRelations['model.stg_orders']).toEqual({ schema: 'bronze__b000007', name: 'stg_orders' });
    expect(Object.keys(plan.publishRelations)).toEqual(Object.keys(plan.publishRelations).sort());
  });

  it('refuses a node that reads an unselected, never published node, naming all of them', () => {
    const selected = selectNodes(m, { select: ['customers daily_orders'], exclude: [] });
    const run = () => planBuild(m, { buildId: 1, selected, published: none, fullRefresh: false });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/model customer_orders \(read by model customers\) is not selected and has never been published; select it too \(e\.g\. \+customers\)/);
    expect(run).toThrow(/seed rfm_rules \(read by model customers\)/);
    expect(run).toThrow(/model stg_orders \(read by model daily_orders\)/);
  });

  it('builds incrementally on the published relation unless full refresh', () => {
    const selected = new Set(['model.daily_orders', 'model.customer_history']);
    const plan = planBuild(m, { buildId: 8, selected, published, fullRefresh: false });
    const daily = byId(plan, 'model.daily_orders');
    expect(daily.isIncremental).toBe(true);
    expect(daily.previous).toEqual({ partition: { schema: 'strata_store', name: 'daily_orders__b7' }, gen: 7, dataBuild: 7, versioned: true });
    expect(daily.sql).toBe(
      'select * from "bronze__b000007"."stg_orders"\nwhere day > (select max(day) from "gold__b000008"."orders_daily")',
    );
    expect(daily.lineMap).toEqual([3, 5]);
    expect(byId(plan, 'model.customer_history').isIncremental).toBe(true);

    const full = planBuild(m, { buildId: 8, selected, published, fullRefresh: true });
    expect(byId(full, 'model.daily_orders').isIncremental).toBe(false);
    expect(byId(full, 'model.daily_orders').previous).toEqual({ partition: { schema: 'strata_store', name: 'daily_orders__b7' }, gen: 7, dataBuild: 7, versioned: true });
    expect(byId(full, 'model.daily_orders').sql).toBe('select * from "bronze__b000007"."stg_orders"');
    expect(byId(full, 'model.daily_orders').lineMap).toEqual([3]);

    // a model that was a table before (its partition has no row versions) is built in full once
    const wasTable: PublishedState = {
      ...published,
      stored: { ...published.stored, 'model.daily_orders': { ...published.stored['model.daily_orders']!, versioned: false } },
    };
    const first = byId(planBuild(m, { buildId: 8, selected, published: wasTable, fullRefresh: false }), 'model.daily_orders');
    expect(first.isIncremental).toBe(false);
    expect(first.sql).toBe('select * from "bronze__b000007"."stg_orders"');
  });

  it('gives TS models their inputs by name', () => {
    const selected = new Set(['model.clusters', 'seed.rfm_rules']);
    const plan = planBuild(m, { buildId: 9, selected, published, fullRefresh: false });
    const clusters = byId(plan, 'model.clusters');
    expect(clusters.inputs).toEqual({
      customers: { schema: 'gold__b000007', name: 'customers' },
      rfm_rules: { schema: 'silver__b000009', name: 'rfm_rules' },
    });
    expect(clusters.sql).toBeUndefined();
  });

  it('plans tests of selected nodes and of sources they read', () => {
    const plan = planBuild(m, { buildId: 42, selected: all, published: none, fullRefresh: false });
    expect(plan.tests.map((t) => t.test.id)).toEqual([
      'test.not_null.customers.customer_id', 'test.relationships.customers.customer_id', 'test.source_not_null.shop.orders.order_id',
    ]);
    expect(plan.tests[0]!.sql).toBe('select * from "gold__b000042"."customers" where customer_id is null');
    expect(plan.tests[2]!.sql).toBe('select * from "raw"."orders_raw" where order_id is null');

    const only = planBuild(m, { buildId: 8, selected: new Set(['model.customers']), published, fullRefresh: false });
    expect(only.tests.map((t) => t.test.id)).toEqual(['test.not_null.customers.customer_id', 'test.relationships.customers.customer_id']);
    expect(only.tests[1]!.sql).toContain('"bronze__b000007"."stg_customers"');
  });

  it('leaves out a test whose other input is neither built nor published', () => {
    const partial: PublishedState = {
      buildId: 7,
      relations: { 'model.customer_orders': published.relations['model.customer_orders']!, 'seed.rfm_rules': published.relations['seed.rfm_rules']! },
      stored: {},
    };
    const plan = planBuild(m, { buildId: 8, selected: new Set(['model.customers']), published: partial, fullRefresh: false });
    expect(plan.tests.map((t) => t.test.id)).toEqual(['test.not_null.customers.customer_id']);
  });

  it('is deterministic', () => {
    const input = { buildId: 42, selected: all, published, fullRefresh: false };
    expect(JSON.stringify(planBuild(m, input))).toBe(JSON.stringify(planBuild(shopManifest(), input)));
  });
});
