import { userInfo } from 'node:os';
import pLimit from 'p-limit';
import type { Manifest } from '../core/types.ts';
import type { Database } from '../db/connect.ts';
import { buildLookup } from '../plan/relations.ts';
import { planTests } from '../plan/plan-tests.ts';
import { readPublishedState } from '../publish/published-state.ts';
import { finishBuild, startBuild } from '../execute/build-record.ts';
import { blocksPublish } from './run-test.ts';
import { runTests } from './run-tests.ts';

/** What the `test` command needs of a compiled project: the manifest and the selected node ids. */
export interface TestSelection {
  readonly manifest: Manifest;
  readonly selected: ReadonlySet<string>;
}

/**
 * `test`: the data tests of the selected nodes, run against what is published now (no build).
 * Results are recorded like a build's, under a build id of their own that never publishes.
 * @returns the exit code: 1 when an error-severity test fails
 */
export async function runDataTests(compiled: TestSelection, db: Database, log: (line: string) => void, concurrency = 4): Promise<number> {
  const published = await readPublishedState(db.pool);
  if (published.buildId === null) {
    log('nothing is published yet: run `npm run build-models` first');
    return 1;
  }
  const tests = planTests(compiled.manifest, compiled.selected, buildLookup(compiled.manifest, new Map(), published));
  const runId = await startBuild(db.pool, {
    project: compiled.manifest.projectName,
    command: 'test',
    invokedBy: userInfo().username,
    selected: [...compiled.selected].sort(),
    vars: compiled.manifest.vars,
    fullRefresh: false,
  });
  let blocking = 0;
  for (const result of await runTests(db.pool, runId, tests, { slots: pLimit(Math.max(1, concurrency)) })) {
    if (blocksPublish(result)) blocking++;
    const where = `${result.location.file}:${result.location.line}`;
    process.stdout.write(`  ${result.status.toUpperCase().padEnd(5)} ${result.id} (${where})${result.message ? `: ${result.message}` : ''}\n`);
  }
  await finishBuild(db.pool, runId, blocking ? 'error' : 'success', `tests of published build ${published.buildId}`);
  process.stdout.write(`${tests.length} tests against published build ${published.buildId}: ${blocking} error-severity failures\n`);
  if (blocking) log(`failing rows (a sample of up to 100 each): select * from strata_meta.test_failures where build_id = ${runId}`);
  return blocking ? 1 : 0;
}
