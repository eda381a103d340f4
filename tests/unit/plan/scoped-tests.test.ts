import { describe, expect, it } from 'vitest';
import type { CompiledTest, Manifest, PublishedState } from '../../../scripts/core/types.ts';
import { planBuild } from '../../../scripts/plan/plan-build.ts';
import { selectNodes } from '../../../scripts/plan/select.ts';
import { shopManifest } from './fixture.ts';

// When a row-local test of an incremental model may check only the rows the build added.
const base = shopManifest();
const row = (id: string, sql: string, failsWhen: string, dependsOn: string[]): CompiledTest => ({
  id, name: id, attachedTo: 'model.daily_orders', test: 'not_null', severity: 'error', sql, definition: `${id}@1`, dependsOn, sources: [],
  location: { file: 'models/schema.yml', line: 1 },
  check: { kind: 'row', subjectId: 'model.daily_orders', subject: '<<rel:this>>', failsWhen },
});
const tests: CompiledTest[] = [
  row('test.not_null.daily', 'select * from <<rel:this>> where day is null', '(day is null)', ['model.daily_orders']),
  row('test.relationships.daily', 'select * from <<rel:this>> as c where not exists (select 1 from <<rel:model.customers>> as p where p.id = c.id)',
    '(not exists (select 1 from <<rel:model.customers>> as p where p.id = m.id))', ['model.daily_orders', 'model.customers']),
  row('test.self.daily', 'select * from <<rel:this>> as c where c.day > (select max(day) from <<rel:model.daily_orders>>)',
    '(m.day > (select max(day) from <<rel:model.daily_orders>>))', ['model.daily_orders']),
  row('test.new.daily', 'select * from <<rel:this>> where day < 0', '(day < 0)', ['model.daily_orders']),
];
const m: Manifest = {
  ...base,
  tests,
  tokens: { ...base.tokens, '<<rel:this>>': { token: '<<rel:this>>', target: 'this' }, '<<rel:model.daily_orders>>': { token: '<<rel:model.daily_orders>>', target: 'model.daily_orders' } },
};
const stored = (build: number) => ({ partition: { schema: 'strata_store', name: `x__b${build}` }, gen: build, dataBuild: build, versioned: true });
const published = (customersBuild: number): PublishedState => ({
  buildId: 9,
  relations: Object.fromEntries(m.nodes.filter((n) => n.config.materialized !== 'ephemeral').map((n) => [n.id, { schema: n.config.schema, name: n.name }])),
  stored: { 'model.daily_orders': stored(9), 'model.customers': stored(customersBuild) },
  passedTests: { '9': { 'test.not_null.daily': 'test.not_null.daily@1', 'test.relationships.daily': 'test.relationships.daily@1', 'test.self.daily': 'test.self.daily@1' } },
});
const scopedIds = (plan: ReturnType<typeof planBuild>) => plan.tests.filter((t) => t.scopedToAdded).map((t) => t.test.id);

describe('tests scoped to the rows a build added', () => {
  const daily = selectNodes(m, { select: ['daily_orders'], exclude: [] });

  it('reads the added rows for row-local tests that passed on the published rows and read nothing newer', () => {
    const plan = planBuild(m, { buildId: 10, selected: daily, published: published(8), fullRefresh: false });
    expect(plan.nodes[0]!.added).toEqual({ schema: 'gold__b000010', name: 'orders_daily__strata_added' });
    // the self-reading test and the test with no earlier pass check every row
    expect(scopedIds(plan)).toEqual(['test.not_null.daily', 'test.relationships.daily']);
    const notNull = plan.tests.find((t) => t.test.id === 'test.not_null.daily')!;
    expect(notNull.sql).toBe('select * from "gold__b000010"."orders_daily__strata_added" where day is null');
    expect(notNull.check).toMatchObject({ subject: '"gold__b000010"."orders_daily__strata_added"' });
    const rel = plan.tests.find((t) => t.test.id === 'test.relationships.daily')!;
    expect(rel.sql).toContain('from "gold"."customers" as p');
  });

  it('checks every row when a parent is newer than the published rows, rebuilt now, or after --full-refresh', () => {
    expect(scopedIds(planBuild(m, { buildId: 10, selected: daily, published: published(9), fullRefresh: false }))).toEqual(['test.not_null.daily', 'test.relationships.daily']);
    expect(scopedIds(planBuild(m, { buildId: 10, selected: daily, published: published(10), fullRefresh: false }))).toEqual(['test.not_null.daily']);
    const withParent = selectNodes(m, { select: ['daily_orders', 'customers'], exclude: [] });
    expect(scopedIds(planBuild(m, { buildId: 10, selected: withParent, published: published(8), fullRefresh: false }))).toEqual(['test.not_null.daily']);
    const full = planBuild(m, { buildId: 10, selected: daily, published: published(8), fullRefresh: true });
    expect(full.nodes[0]!.added).toBeUndefined();
    expect(scopedIds(full)).toEqual([]);
  });
});
