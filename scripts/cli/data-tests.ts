import { userInfo } from 'node:os';
import { blocksPublish, runTest } from '../audit/run-test.ts';
import type { Database } from '../db/connect.ts';
import { buildLookup } from '../plan/relations.ts';
import { planTests } from '../plan/plan-tests.ts';
import { readPublishedState } from '../publish/published-state.ts';
import { finishBuild, recordTest, startBuild } from '../report/records.ts';
import type { Compiled } from './session.ts';

/**
 * `test`: the data tests of the selected nodes, run against what is published now (no build).
 * Results are recorded like a build's, under a build id of their own that never publishes.
 * @returns the exit code: 1 when an error-severity test fails
 */
export async function runDataTests(compiled: Compiled, db: Database, log: (line: string) => void): Promise<number> {
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
  for (const test of tests) {
    const { result, sample } = await runTest(db.pool, test);
    await recordTest(db.pool, runId, result, sample);
    if (blocksPublish(result)) blocking++;
    const where = `${result.location.file}:${result.location.line}`;
    process.stdout.write(`  ${result.status.toUpperCase().padEnd(5)} ${result.id} (${where})${result.message ? `: ${result.message}` : ''}\n`);
  }
  await finishBuild(db.pool, runId, blocking ? 'error' : 'success', `tests of published build ${published.buildId}`);
  process.stdout.write(`${tests.length} tests against published build ${published.buildId}: ${blocking} error-severity failures\n`);
  if (blocking) log(`failing rows (a sample of up to 100 each): select * from strata_meta.test_failures where build_id = ${runId}`);
  return blocking ? 1 : 0;
}
