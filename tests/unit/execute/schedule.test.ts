import { describe, expect, it } from 'vitest';
import type { CompiledNode, CompiledTest, Manifest, Plan, PlannedNode, PlannedTest, TestResult } from '../../../scripts/core/types.ts';
import { schedule } from '../../../scripts/execute/schedule.ts';

function node(name: string, dependsOn: string[] = [], materialized: 'table' | 'ephemeral' = 'table'): CompiledNode {
  return {
    id: `model.${name}`, name, resourceType: 'model', language: 'sql', path: `models/${name}.sql`, columns: [], sql: 'select 1', lineMap: [1],
    config: { materialized, schema: 'gold', tags: [], enabled: true, indexes: [], pii: false },
    dependsOn: dependsOn.map((d) => `model.${d}`), sources: [],
  };
}

function test(id: string, attachedTo: string, dependsOn: string[]): CompiledTest {
  return {
    id, name: id, attachedTo: `model.${attachedTo}`, test: 'singular', severity: 'error', sql: 'select 1', definition: id,
    dependsOn: dependsOn.map((d) => `model.${d}`), sources: [], location: { file: 'tests/data/t.sql', line: 1 },
  };
}

function setup(nodes: CompiledNode[], tests: CompiledTest[]): { manifest: Manifest; plan: Plan } {
  const manifest: Manifest = { projectName: 'p', nodes, tests, sources: [], tokens: {}, vars: {} };
  const planned: PlannedNode[] = nodes
    .filter((n) => n.config.materialized !== 'ephemeral')
    .map((n) => ({ node: n, target: { schema: 'gold__b000001', name: n.name }, publicRelation: { schema: 'gold', name: n.name }, buildId: 1, isIncremental: false, inputs: {} }));
  const plannedTests: PlannedTest[] = tests.map((t) => ({ test: t, sql: t.sql }));
  return { manifest, plan: { buildId: 1, buildTag: 'b000001', nodes: planned, tests: plannedTests, schemas: {}, publishRelations: {}, fullRefresh: false } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runTests hook whose tests take `ms` and pass, noting in `events` when a batch starts and ends. */
function slowTests(events: string[], ms: number) {
  return async (tests: readonly PlannedTest[]): Promise<TestResult[]> => {
    if (tests.length === 0) return [];
    events.push('tests start');
    await sleep(ms);
    events.push('tests end');
    return tests.map((t): TestResult => ({ id: t.test.id, status: 'pass', severity: 'error', failures: 0, durationMs: 0, location: t.test.location }));
  };
}

describe('schedule', () => {
  it('runs a test only when every node it reads is built, not just the one it is attached to', async () => {
    const { manifest, plan } = setup([node('a'), node('slow'), node('child', ['a'])], [test('t', 'a', ['a', 'slow'])]);
    const events: string[] = [];
    await schedule(manifest, plan, 4, {
      cancelled: () => false,
      runNode: async (p) => {
        if (p.node.name === 'slow') await sleep(30);
        events.push(`node ${p.node.name}`);
        return { id: p.node.id, status: 'success', rows: 1, durationMs: 1 };
      },
      runTests: async (tests) => {
        events.push(...tests.map((t) => `test ${t.test.id}`));
        return tests.map((t): TestResult => ({ id: t.test.id, status: 'pass', severity: 'error', failures: 0, durationMs: 0, location: t.test.location }));
      },
    });
    expect(events.indexOf('test t')).toBeGreaterThan(events.indexOf('node slow'));
    expect(events.filter((e) => e === 'test t')).toHaveLength(1);
  });

  it('a failing node skips its descendants (through ephemerals) and the rest still runs; a failing test skips the attached node\'s children', async () => {
    const { manifest, plan } = setup(
      [node('bad'), node('eph', ['bad'], 'ephemeral'), node('below', ['eph']), node('ok'), node('tested'), node('after_tested', ['tested'])],
      [test('t_fail', 'tested', ['tested'])],
    );
    const outcome = await schedule(manifest, plan, 2, {
      cancelled: () => false,
      runNode: async (p) =>
        p.node.name === 'bad'
          ? { id: p.node.id, status: 'error', rows: null, durationMs: 1, error: 'boom' }
          : { id: p.node.id, status: 'success', rows: 1, durationMs: 1 },
      runTests: async (tests) =>
        tests.map((t): TestResult => ({ id: t.test.id, status: 'fail', severity: 'error', failures: 3, durationMs: 0, location: t.test.location })),
    });
    const status = Object.fromEntries(outcome.nodes.map((n) => [n.id, n.status]));
    expect(status).toEqual({
      'model.bad': 'error', 'model.below': 'skipped', 'model.ok': 'success', 'model.tested': 'success', 'model.after_tested': 'skipped',
    });
    expect(outcome.nodes.find((n) => n.id === 'model.below')!.skippedBecause).toBe('model.bad');
    expect(outcome.nodes.find((n) => n.id === 'model.after_tested')!.skippedBecause).toBe('t_fail');
  });

  it('runs at most `threads` nodes at once', async () => {
    const { manifest, plan } = setup(['a', 'b', 'c', 'd', 'e'].map((n) => node(n)), []);
    let running = 0;
    let most = 0;
    await schedule(manifest, plan, 2, {
      cancelled: () => false,
      runNode: async (p) => {
        most = Math.max(most, ++running);
        await sleep(10);
        running--;
        return { id: p.node.id, status: 'success', rows: 1, durationMs: 1 };
      },
      runTests: async () => [],
    });
    expect(most).toBe(2);
  });

  it("starts a node's children while its tests run", async () => {
    const { manifest, plan } = setup([node('parent'), node('child', ['parent'])], [test('slow_test', 'parent', ['parent'])]);
    const events: string[] = [];
    await schedule(manifest, plan, 4, {
      cancelled: () => false,
      runNode: async (p) => {
        events.push(`node ${p.node.name}`);
        return { id: p.node.id, status: 'success', rows: 1, durationMs: 1 };
      },
      runTests: slowTests(events, 30),
    });
    expect(events).toEqual(['node parent', 'tests start', 'node child', 'tests end']);
  });

  it("a node's tests do not hold its place: with one thread, the next node builds while they run", async () => {
    const { manifest, plan } = setup([node('parent'), node('child', ['parent']), node('other')], [test('slow_test', 'parent', ['parent'])]);
    const events: string[] = [];
    let building = 0;
    let most = 0;
    await schedule(manifest, plan, 1, {
      cancelled: () => false,
      runNode: async (p) => {
        most = Math.max(most, ++building);
        events.push(`node ${p.node.name}`);
        await sleep(5);
        building--;
        return { id: p.node.id, status: 'success', rows: 1, durationMs: 1 };
      },
      runTests: slowTests(events, 60),
    });
    expect(most).toBe(1);
    expect(events.slice(0, 2)).toEqual(['node parent', 'tests start']);
    expect(events.indexOf('node child')).toBeLessThan(events.indexOf('tests end'));
    expect(events.indexOf('node other')).toBeLessThan(events.indexOf('tests end'));
  });

  it('children that ran while a test of their parent failed are reported as skipped because of the test, with their descendants, and their tests left out', async () => {
    const { manifest, plan } = setup(
      [node('parent'), node('child', ['parent']), node('failing_child', ['parent']), node('grandchild', ['child']), node('below_failing', ['failing_child']), node('other')],
      [test('parent_test', 'parent', ['parent']), test('child_test', 'child', ['child']), test('other_test', 'other', ['other'])],
    );
    const ran: string[] = [];
    const outcome = await schedule(manifest, plan, 4, {
      cancelled: () => false,
      runNode: async (p) => {
        ran.push(p.node.name);
        // a child can fail on the rows its parent's test rejects: the test is still the root cause
        return p.node.name === 'failing_child'
          ? { id: p.node.id, status: 'error', rows: null, durationMs: 1, error: 'division by zero' }
          : { id: p.node.id, status: 'success', rows: 1, durationMs: 1 };
      },
      runTests: async (tests) => {
        if (tests.some((t) => t.test.id === 'parent_test')) await sleep(40); // the children and grandchild run meanwhile
        return tests.map((t): TestResult => ({
          id: t.test.id, status: t.test.id === 'parent_test' ? 'fail' : 'pass', severity: 'error', failures: t.test.id === 'parent_test' ? 2 : 0, durationMs: 0, location: t.test.location,
        }));
      },
    });
    expect(ran).toEqual(expect.arrayContaining(['parent', 'child', 'failing_child', 'grandchild', 'other']));
    const results = Object.fromEntries(outcome.nodes.map((n) => [n.id, [n.status, n.skippedBecause]]));
    expect(results).toEqual({
      'model.parent': ['success', undefined],
      'model.child': ['skipped', 'parent_test'],
      'model.failing_child': ['skipped', 'parent_test'],
      'model.grandchild': ['skipped', 'parent_test'],
      'model.below_failing': ['skipped', 'parent_test'],
      'model.other': ['success', undefined],
    });
    // as if the children had waited: child_test never ran; the failed test and the others are reported
    expect(outcome.tests.map((t) => [t.id, t.status]).sort()).toEqual([['other_test', 'pass'], ['parent_test', 'fail']]);
  });
});
