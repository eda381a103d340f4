import { describe, expect, it } from 'vitest';
import type { CompiledTest, Manifest, PublishedState } from '../../../scripts/core/types.ts';
import { planBuild } from '../../../scripts/plan/plan-build.ts';
import { selectNodes } from '../../../scripts/plan/select.ts';
import { node, shopManifest } from './fixture.ts';

// When a row-local test of a view may check only the view's changed rows (changedRowsScope): the
// view is a select/where/join/union all over an incremental model built incrementally, the same
// test passed in the published build, and it is not --full-refresh.
const base = shopManifest();
const views = [
  node('model.daily_view', { dependsOn: ['model.daily_orders'], sql: 'select day, orders from <<rel:model.daily_orders>> where orders > 0' }, { materialized: 'view', schema: 'gold' }),
  node('model.daily_total', { dependsOn: ['model.daily_orders'], sql: 'select count(*) as days, sum(orders) as orders from <<rel:model.daily_orders>>' }, { materialized: 'view', schema: 'gold' }),
];
const rowTest = (subject: string, column: string): CompiledTest => ({
  id: `test.not_null.${subject}.${column}`, name: column, attachedTo: `model.${subject}`, test: 'not_null', severity: 'error',
  sql: `select * from <<rel:model.${subject}>> where ${column} is null`, definition: `${subject}.${column}@1`,
  check: { kind: 'row', subjectId: `model.${subject}`, subject: `<<rel:model.${subject}>>`, failsWhen: `${column} is null` },
  dependsOn: [`model.${subject}`], sources: [], location: { file: 'models/schema.yml', line: 1 },
});
const tests = [rowTest('daily_view', 'day'), rowTest('daily_total', 'orders')];
const tokens = Object.fromEntries(['model.daily_view', 'model.daily_total', 'model.daily_orders'].map((id) => [`<<rel:${id}>>`, { token: `<<rel:${id}>>`, target: id }]));
const m: Manifest = { ...base, nodes: [...base.nodes, ...views], tests, tokens: { ...base.tokens, ...tokens } };
const published = (passed: Record<string, string>): PublishedState => ({
  buildId: 9,
  relations: Object.fromEntries(m.nodes.filter((n) => n.config.materialized !== 'ephemeral').map((n) => [n.id, { schema: n.config.schema, name: n.name }])),
  stored: { 'model.daily_orders': { partition: { schema: 'strata_store', name: 'daily__b9' }, gen: 9, dataBuild: 9, versioned: true } },
  passedTests: { '9': passed },
  viewSql: Object.fromEntries(views.map((v) => [v.id, v.sql!.replace(/<<rel:model\.daily_orders>>/g, '"gold"."orders_daily"')])),
});
const allPassed = Object.fromEntries(tests.map((t) => [t.id, t.definition]));
const scoped = (plan: ReturnType<typeof planBuild>) => plan.tests.filter((t) => t.scopedToChanges).map((t) => t.test.id);

describe('row-local tests of a view, scoped to its changed rows', () => {
  const selected = selectNodes(m, { select: ['daily_orders', 'daily_view', 'daily_total'], exclude: [] });

  it('read the view over its input\'s changed rows, in the shared pass and in the test; an aggregate view is read whole', () => {
    const plan = planBuild(m, { buildId: 10, selected, published: published(allPassed), fullRefresh: false });
    expect(scoped(plan)).toEqual(['test.not_null.daily_view.day']);
    const view = plan.tests.find((t) => t.test.id === 'test.not_null.daily_view.day')!;
    expect(view.sql).toContain('"gold__b000010"."orders_daily__strata_changed"');
    expect(view.check?.kind === 'row' && view.check.subject).toContain('"gold__b000010"."orders_daily__strata_changed"');
    // count(*) over the changed rows is not the view's count: every row
    const total = plan.tests.find((t) => t.test.id === 'test.not_null.daily_total.orders')!;
    expect(total.sql).not.toContain('strata_changed');
  });

  it('read every row when the test is new or edited, or after --full-refresh', () => {
    expect(scoped(planBuild(m, { buildId: 10, selected, published: published({}), fullRefresh: false }))).toEqual([]);
    expect(scoped(planBuild(m, { buildId: 10, selected, published: published(allPassed), fullRefresh: true }))).toEqual([]);
  });
});

describe('a view that is a union all of legs, each over its own incremental model', () => {
  // daily_orders and weekly_orders, both built incrementally; all_orders unions them
  const weekly = node('model.weekly_orders', { dependsOn: ['model.stg_orders'], sql: 'select * from <<rel:model.stg_orders>>', sqlIncremental: 'select * from <<rel:model.stg_orders>>' },
    { materialized: 'incremental', schema: 'gold', alias: 'orders_weekly', uniqueKey: ['day'] });
  const union = node('model.all_orders', { dependsOn: ['model.daily_orders', 'model.weekly_orders'],
    sql: 'select day, orders from <<rel:model.daily_orders>>\nunion all\nselect day, orders from <<rel:model.weekly_orders>>' }, { materialized: 'view', schema: 'gold' });
  const test = rowTest('all_orders', 'day');
  const ids = ['model.weekly_orders', 'model.all_orders'];
  const u: Manifest = {
    ...m,
    nodes: [...m.nodes, weekly, union],
    tests: [test],
    tokens: { ...m.tokens, ...Object.fromEntries(ids.map((id) => [`<<rel:${id}>>`, { token: `<<rel:${id}>>`, target: id }])) },
  };
  const state = published({ [test.id]: test.definition });
  const stored = { ...state.stored, 'model.weekly_orders': { partition: { schema: 'strata_store', name: 'weekly__b9' }, gen: 9, dataBuild: 9, versioned: true } };
  const relations = { ...state.relations, 'model.weekly_orders': { schema: 'gold', name: 'orders_weekly' }, 'model.all_orders': { schema: 'gold', name: 'all_orders' } };
  const viewSql = { ...state.viewSql, 'model.all_orders': union.sql!.replace('<<rel:model.daily_orders>>', '"gold"."orders_daily"').replace('<<rel:model.weekly_orders>>', '"gold"."orders_weekly"') };

  it("reads each leg over its own input's changed rows, never the other leg's input in full", () => {
    const selected = selectNodes(u, { select: ['daily_orders', 'weekly_orders', 'all_orders'], exclude: [] });
    const plan = planBuild(u, { buildId: 10, selected, published: { ...state, stored, relations, viewSql }, fullRefresh: false });
    const scopedTest = plan.tests.find((t) => t.test.id === test.id)!;
    expect(scopedTest.scopedToChanges).toBe(true);
    const subject = scopedTest.check?.kind === 'row' ? scopedTest.check.subject : '';
    expect(subject).toContain('"orders_daily__strata_changed"');
    expect(subject).toContain('"orders_weekly__strata_changed"');
    // weekly's rows as they are now: read by no branch (daily's, as they are now, only names the
    // union's columns, under `where false`)
    expect(subject).not.toContain('"gold__b000010"."orders_weekly"');
    expect(subject).not.toMatch(/> 1/);
  });
});
