import { describe, expect, it } from 'vitest';
import { VALUE_START } from '../../../scripts/core/sql.ts';
import type { CompiledTest, Manifest, PublishedState } from '../../../scripts/core/types.ts';
import { planBuild } from '../../../scripts/plan/plan-build.ts';
import { selectNodes } from '../../../scripts/plan/select.ts';
import { shopManifest } from './fixture.ts';

// When a test local to a key (scopeBy) may check only the key values an incremental build touched.
const base = shopManifest();
const local = (id: string, sql: string, dependsOn: string[], sources: string[] = []): CompiledTest => ({
  id, name: id, attachedTo: 'model.daily_orders', test: 'singular', severity: 'error', sql, definition: `${id}@1`,
  dependsOn, sources, scopeBy: ['day'], location: { file: 'tests/data/t.sql', line: 1 },
});
const tests: CompiledTest[] = [
  local('test.singular.one_row_a_day', 'select day from <<rel:model.daily_orders>> group by day having count(*) > 1', ['model.daily_orders']),
  local('test.singular.days_match_orders', 'select day from <<rel:model.daily_orders>> d join <<rel:model.stg_orders>> o using (day)', ['model.daily_orders', 'model.stg_orders']),
  local('test.singular.days_match_customers', 'select day from <<rel:model.daily_orders>> d join <<rel:model.customers>> c using (day)', ['model.daily_orders', 'model.customers']),
];
const m: Manifest = { ...base, tests, tokens: { ...base.tokens, '<<rel:model.daily_orders>>': { token: '<<rel:model.daily_orders>>', target: 'model.daily_orders' } } };
const published = (passed: Record<string, string>): PublishedState => ({
  buildId: 9,
  relations: Object.fromEntries(m.nodes.filter((n) => n.config.materialized !== 'ephemeral').map((n) => [n.id, { schema: n.config.schema, name: n.name }])),
  stored: {
    'model.daily_orders': { partition: { schema: 'strata_store', name: 'daily__b9' }, gen: 9, dataBuild: 9, versioned: true },
    'model.customers': { partition: { schema: 'strata_store', name: 'customers__b9' }, gen: 9, dataBuild: 9, versioned: false },
  },
  passedTests: { '9': passed },
  viewSql: { 'model.stg_orders': 'select *\nfrom "raw"."orders_raw"' },
});
const allPassed = Object.fromEntries(tests.map((t) => [t.id, t.definition]));
const byKeys = (plan: ReturnType<typeof planBuild>) => plan.tests.filter((t) => t.scopedToKeys).map((t) => t.test.id);

describe('tests local to a key', () => {
  const daily = selectNodes(m, { select: ['daily_orders'], exclude: [] });

  it('read only the key values found in the rows the build changed', () => {
    const plan = planBuild(m, { buildId: 10, selected: daily, published: published(allPassed), fullRefresh: false });
    expect(plan.nodes[0]!.changed).toEqual({ schema: 'gold__b000010', name: 'orders_daily__strata_changed' });
    // reads a view over a source that does not declare its changes: every row
    expect(byKeys(plan)).toEqual(['test.singular.one_row_a_day', 'test.singular.days_match_customers']);
    const sql = plan.tests.find((t) => t.test.id === 'test.singular.one_row_a_day')!.sql;
    // the relation read at those values, as a CTE named as the relation (PostgreSQL 15 refuses an
    // unaliased subquery in FROM), and the test's SQL reading it by that name
    expect(sql).toContain(
      `with "orders_daily" as not materialized (\n(select * from "gold__b000010"."orders_daily" as strata_r where strata_r.day = any (${VALUE_START}(` +
        `select case when cardinality(strata_a.touched) > 100000 then null else strata_a.touched end from (select coalesce(array_agg(distinct strata_t.day), '{}') as touched from (`,
    );
    // past 100,000 touched values the value is null, and the branch that reads every row is the one left
    expect(sql).toMatch(/union all select \* from "gold__b000010"\."orders_daily" as strata_r where \/\*strata:value\*\/[\s\S]*?\/\*strata:end\*\/ is null union all/);
    expect(sql).toMatch(/from "orders_daily"/);
    expect(sql).toContain('select * from "gold__b000010"."orders_daily__strata_changed"');
  });

  it('check every row when edited, after --full-refresh, or when they read a table this build rebuilds', () => {
    const edited = planBuild(m, { buildId: 10, selected: daily, published: published({ ...allPassed, 'test.singular.one_row_a_day': 'test.singular.one_row_a_day@0' }), fullRefresh: false });
    expect(byKeys(edited)).toEqual(['test.singular.days_match_customers']);
    expect(byKeys(planBuild(m, { buildId: 10, selected: daily, published: published(allPassed), fullRefresh: true }))).toEqual([]);
    const withCustomers = selectNodes(m, { select: ['daily_orders', 'customers'], exclude: [] });
    expect(byKeys(planBuild(m, { buildId: 10, selected: withCustomers, published: published(allPassed), fullRefresh: false }))).toEqual(['test.singular.one_row_a_day']);
  });
});
