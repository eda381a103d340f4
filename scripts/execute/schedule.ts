import type { Manifest, NodeResult, Plan, PlannedNode, PlannedTest, TestResult } from '../core/types.ts';
import { blocksPublish } from '../audit/run-test.ts';

export interface ScheduleHooks {
  /** runs one node; never throws (errors come back as a result) */
  runNode(planned: PlannedNode): Promise<NodeResult>;
  /** runs tests in order; never throws */
  runTests(tests: readonly PlannedTest[]): Promise<readonly TestResult[]>;
  /** asked before every launch: true stops launching (Ctrl-C); the rest are skipped */
  cancelled(): boolean;
}

export interface ScheduleOutcome {
  readonly nodes: readonly NodeResult[];
  readonly tests: readonly TestResult[];
}

/**
 * Runs the plan's nodes in dependency order, up to `threads` building at once, each node's tests
 * right after it. A node's tests do not hold its place: the tests of every node share slots of
 * their own (the `runTests` hook; cli/build.ts gives them `threads` too). When they held it, the
 * tests of staging and of the views over it filled all four places for 7 s of a 10 M-line build
 * while `orders`, on the build's critical path, waited (docs/benchmarks.md, session 10). A node
 * that fails, or whose error-severity test fails, marks its descendants skipped; everything else
 * still runs. Source tests (freshness and tests on sources) run first and block the nodes that
 * read that source.
 *
 * A node's children start as soon as it is built, while its tests run: the tests of a node are
 * on the critical path otherwise (order_lines' scoped tests, 0.7–2 s of an incremental build,
 * docs/benchmarks.md). This changes no outcome. Nothing is visible before the build publishes,
 * and a build publishes only when every node succeeded and no error test failed (report/verdict.ts),
 * so a child that ran on rows a test then rejected is discarded with the build. Its result is
 * reported as it was when children waited: skipped, because of the root cause (the failed test),
 * with its descendants; and the tests of skipped nodes are left out (they would not have run).
 */
export async function schedule(manifest: Manifest, plan: Plan, threads: number, hooks: ScheduleHooks): Promise<ScheduleOutcome> {
  const inPlan = new Map(plan.nodes.map((p) => [p.node.id, p]));
  const deps = new Map(plan.nodes.map((p) => [p.node.id, effectiveDeps(manifest, p.node.id).filter((d) => inPlan.has(d))]));
  const testInputs = new Map(plan.tests.map((t) => [t, testDeps(manifest, t, inPlan)]));
  const testsByInput = groupTests(testInputs);
  const testsRun = new Set<PlannedTest>();
  const nodeResults = new Map<string, NodeResult>();
  /** nodes built successfully: their children may start (their tests may still be running) */
  const built = new Set<string>();
  const testResults: TestResult[] = [];
  /** node id → why its descendants may not run */
  const broken = new Map<string, string>();

  const sourceTests = plan.tests.filter((t) => t.test.attachedTo === undefined || !inPlan.has(t.test.attachedTo));
  const sourceResults = await hooks.runTests(sourceTests);
  testResults.push(...sourceResults);
  const brokenSources = new Set<string>();
  sourceResults.forEach((r, i) => {
    if (blocksPublish(r)) for (const s of sourceTests[i]!.test.sources) brokenSources.add(s);
  });

  const pending = new Set(inPlan.keys());
  /** every node started and not finished, its tests included */
  const running = new Map<string, Promise<void>>();
  /** the nodes building now: at most `threads` */
  const building = new Set<string>();
  // resolved whenever a node is built or finishes: the loop then looks for nodes to start
  let changed: () => void = () => {};

  const skip = (id: string, because: string): void => {
    nodeResults.set(id, { id, status: 'skipped', rows: null, durationMs: 0, skippedBecause: because });
    broken.set(id, because);
    pending.delete(id);
  };

  while (pending.size > 0 || running.size > 0) {
    const next = new Promise<void>((resolve) => (changed = resolve));
    for (const id of [...pending]) {
      if (building.size >= threads) break;
      if (hooks.cancelled()) {
        skip(id, 'cancelled');
        continue;
      }
      const nodeDeps = deps.get(id)!;
      const brokenDep = nodeDeps.find((d) => broken.has(d));
      const brokenSource = sourcesOf(manifest, id).find((s) => brokenSources.has(s));
      if (brokenDep) skip(id, broken.get(brokenDep)!); // the root cause, not the nearest parent
      else if (brokenSource) skip(id, brokenSource);
      else if (nodeDeps.every((d) => built.has(d))) {
        pending.delete(id);
        running.set(id, run(id));
      }
    }
    if (running.size > 0) await next;
    else for (const id of [...pending]) skip(id, 'unresolved dependency'); // cannot happen in a DAG; never spin

  }

  async function run(id: string): Promise<void> {
    building.add(id);
    const result = await hooks.runNode(inPlan.get(id)!).finally(() => building.delete(id));
    nodeResults.set(id, result);
    if (result.status !== 'success') broken.set(id, id);
    else {
      built.add(id);
      changed();
      // a test runs once every node it reads is built, which may be after the one it is attached to
      const ready = (testsByInput.get(id) ?? []).filter(
        (t) => !testsRun.has(t) && testInputs.get(t)!.every((d) => nodeResults.get(d)?.status === 'success'),
      );
      for (const t of ready) testsRun.add(t);
      const results = await hooks.runTests(ready);
      testResults.push(...results);
      results.forEach((r, i) => {
        if (blocksPublish(r)) broken.set(ready[i]!.test.attachedTo ?? id, r.id);
      });
    }
    running.delete(id);
    changed();
  }

  // Children that started before a parent's test failed: reported as when they waited for it.
  const skipped = skippedAfterTests(plan, deps, nodeResults, broken);
  for (const [id, because] of skipped) nodeResults.set(id, { id, status: 'skipped', rows: null, durationMs: 0, skippedBecause: because });
  const inputsOf = new Map([...testInputs].map(([t, inputs]) => [t.test.id, inputs]));
  const kept = skipped.size === 0 ? testResults : testResults.filter((r) => !(inputsOf.get(r.id) ?? []).some((d) => skipped.has(d)));

  return { nodes: plan.nodes.map((p) => nodeResults.get(p.node.id)!), tests: kept };
}

/**
 * The nodes that ran but would have been skipped had they waited for their parents' tests: every
 * node with a dependency broken by a failed test, or itself skipped so, in dependency order. Each
 * gets its root cause, as `schedule` gives a skipped node (the first broken dependency's cause).
 */
function skippedAfterTests(
  plan: Plan,
  deps: ReadonlyMap<string, readonly string[]>,
  results: ReadonlyMap<string, NodeResult>,
  broken: ReadonlyMap<string, string>,
): Map<string, string> {
  const skipped = new Map<string, string>();
  const causeOf = (d: string): string | undefined => skipped.get(d) ?? broken.get(d);
  // plan.nodes is in dependency order; repeat until nothing changes in case it is not
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of plan.nodes) {
      const id = p.node.id;
      if (skipped.has(id)) continue;
      const result = results.get(id);
      if (result?.status === 'skipped') {
        // skipped by the loop because of a node skipped here (it ran and failed on rejected rows): its root cause
        const dep = (deps.get(id) ?? []).find((d) => skipped.has(d) && broken.get(d) === result.skippedBecause);
        if (dep === undefined) continue;
        skipped.set(id, skipped.get(dep)!);
      } else {
        const dep = (deps.get(id) ?? []).find((d) => causeOf(d) !== undefined);
        if (dep === undefined) continue;
        skipped.set(id, causeOf(dep)!);
      }
      changed = true;
    }
  }
  return skipped;
}

/** A node's dependencies, looking through ephemeral models (which are inlined, not built). */
function effectiveDeps(manifest: Manifest, id: string, seen = new Set<string>()): string[] {
  const byId = new Map(manifest.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (const dep of byId.get(id)?.dependsOn ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (byId.get(dep)?.config.materialized === 'ephemeral') out.push(...effectiveDeps(manifest, dep, seen));
    else out.push(dep);
  }
  return out;
}

function sourcesOf(manifest: Manifest, id: string): readonly string[] {
  const byId = new Map(manifest.nodes.map((n) => [n.id, n]));
  const node = byId.get(id);
  const viaEphemeral = (node?.dependsOn ?? [])
    .map((d) => byId.get(d))
    .filter((n) => n?.config.materialized === 'ephemeral')
    .flatMap((n) => n!.sources);
  return [...(node?.sources ?? []), ...viaEphemeral];
}

/** The nodes of this build a test reads (through ephemerals), its attached node included. */
function testDeps(manifest: Manifest, test: PlannedTest, inPlan: ReadonlyMap<string, PlannedNode>): readonly string[] {
  const byId = new Map(manifest.nodes.map((n) => [n.id, n]));
  const direct = [...test.test.dependsOn, ...(test.test.attachedTo ? [test.test.attachedTo] : [])];
  const expanded = direct.flatMap((d) => (byId.get(d)?.config.materialized === 'ephemeral' ? effectiveDeps(manifest, d) : [d]));
  return [...new Set(expanded)].filter((d) => inPlan.has(d));
}

function groupTests(inputs: ReadonlyMap<PlannedTest, readonly string[]>): Map<string, PlannedTest[]> {
  const map = new Map<string, PlannedTest[]>();
  for (const [test, deps] of inputs) {
    if (test.test.attachedTo === undefined) continue;
    for (const d of deps) map.set(d, [...(map.get(d) ?? []), test]);
  }
  return map;
}
