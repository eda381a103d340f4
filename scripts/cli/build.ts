import { userInfo } from 'node:os';
import type pg from 'pg';
import { runTests } from '../audit/run-tests.ts';
import { recordSourceMarks } from '../audit/source-marks.ts';
import { writeCompiledArtifacts } from '../compile/write.ts';
import { describeNode } from '../core/errors.ts';
import type { NodeResult, Plan, PlannedNode, PublishedState } from '../core/types.ts';
import type { Database } from '../db/connect.ts';
import { endAbandonedSessions } from '../db/build-sessions.ts';
import { stateDirOf } from '../db/embedded.ts';
import { serverLostReason, whileServerReturns } from '../db/server-lost.ts';
import { acquireBuildLock } from '../execute/build-lock.ts';
import { createBuildSchemas, finishBuild, markAbandonedBuilds, startBuild } from '../execute/build-record.ts';
import { runNode, type RunContext } from '../execute/run-node.ts';
import { UnchangedNodes } from '../execute/keep-unchanged.ts';
import { schedule, type ScheduleOutcome } from '../execute/schedule.ts';
import { TestSlots } from '../execute/test-slots.ts';
import { TsWorkers } from '../execute/ts-worker/pool.ts';
import { planBuild, publicPlanResolver } from '../plan/index.ts';
import { loadOperations, type OperationsProject } from '../load/operations.ts';
import { biAccessOf, ensureBiRole } from '../publish/bi-role.ts';
import { awaitEarlierStatements } from '../publish/earlier-statements.ts';
import { buildOutputs, publish } from '../publish/publish.ts';
import { readPublishedState } from '../publish/published-state.ts';
import { applyRetention } from '../publish/retention.ts';
import { discardRolledBack } from '../publish/rollback-target.ts';
import { recordAppliedRetractions } from '../publish/retractions.ts';
import { recordDiscarded, recordNode } from '../report/records.ts';
import { writeRunResults } from '../report/run-results.ts';
import { formatSummary, rowCount, type BuildReport } from '../report/summary.ts';
import { blockedBy, buildEnding, type BuildEnding } from '../report/verdict.ts';
import { DeferredIndexes } from '../execute/deferred-indexes.ts';
import type { Compiled, CommonOptions } from './session.ts';

export interface BuildOutcome {
  readonly report: BuildReport;
  readonly exitCode: number;
}

export interface BuildRun {
  readonly command: string;
  readonly options: CommonOptions;
  readonly compiled: Compiled;
  readonly db: Database;
  readonly log: (line: string) => void;
  /** asked before each node starts; true after Ctrl-C */
  readonly cancelled?: () => boolean;
  /**
   * Where TypeScript models run: on this thread (the default), or in a worker thread
   * (execute/ts-worker/), so that a model's computing does not hold the thread that dispatches SQL
   * nodes and answers Ctrl-C. Measured (docs/benchmarks.md): no build got faster on two cores, and
   * the worker adds about 80 MiB to the peak, past the 300 MiB aim, so it is opt-in.
   */
  readonly tsModels?: 'worker' | 'thread';
}

/**
 * A whole build: lock, prepare (records, plan, schemas), write every selected node into this
 * build's versioned schemas and audit it with the data tests, decide, publish only when nothing
 * with error severity failed, and record how it ended. The previously published build stays
 * exactly as it was otherwise. Each stage hands the next plain data.
 */
export async function runBuild(run: BuildRun): Promise<BuildOutcome> {
  const started = performance.now();
  // read before building: a broken operations file is reported before any work is done
  const operations = await loadOperations(run.compiled.project.settings.dir);
  const lock = await acquireBuildLock(run.db.pool);
  try {
    const prepared = await prepareBuild(run);
    const { lost, unindexed, ...results } = await executePlan(run, prepared);
    const cancelled = run.cancelled?.() ?? false;
    const blocked = blockedBy({ ...results, cancelled, ...(lost ? { lost } : {}), ...(unindexed ? { unindexed } : {}) });
    const publishStart = performance.now();
    const publishError = blocked === undefined ? await publishPlan(run, prepared, operations) : undefined;
    const publishSeconds = blocked === undefined ? (performance.now() - publishStart) / 1000 : undefined;
    // Ctrl-C may also come during the publish, which it then rolls back: the build was cancelled
    const cancelledInPublish = publishError !== undefined && (run.cancelled?.() ?? false);
    const ending = buildEnding(cancelled || cancelledInPublish, cancelledInPublish ? 'the build was cancelled' : blocked, publishError);
    await closeBuild(run, prepared.buildId, ending, results.nodes);
    const report: BuildReport = {
      buildId: prepared.buildId,
      manifest: run.compiled.manifest,
      ...results,
      published: ending.published,
      previousBuild: prepared.published.buildId,
      seconds: (performance.now() - started) / 1000,
      ...(publishSeconds !== undefined ? { publishSeconds } : {}),
      ...(ending.blockedBy !== undefined ? { blockedBy: ending.blockedBy } : {}),
    };
    await writeRunResults(run.compiled.targetDir, run.command, report);
    return { report, exitCode: ending.exitCode };
  } finally {
    await lock.release().catch(() => {});
  }
}

/** A started build: its id, what was published when it started, and its plan. */
interface PreparedBuild {
  readonly buildId: number;
  readonly published: PublishedState;
  readonly plan: Plan;
}

/** Records the build as started, plans it against what is published, and creates its schemas. */
async function prepareBuild(run: BuildRun): Promise<PreparedBuild> {
  const { compiled, db, log, options } = run;
  const { manifest, project } = compiled;
  const ended = await endAbandonedSessions(db.pool);
  if (ended > 0) log(`ended ${ended} leftover database session${ended === 1 ? '' : 's'} of an abandoned build`);
  await markAbandonedBuilds(db.pool);
  const biNote = await ensureBiRole(db.pool, project.settings.biRole, stateDirOf(project.settings.dir));
  if (biNote.startsWith('could not') || biNote.startsWith('created')) log(biNote);
  const published = await readPublishedState(db.pool);
  await discardRolledBack(db.pool, published.buildId);
  const buildId = await startBuild(db.pool, {
    project: manifest.projectName,
    command: run.command,
    invokedBy: `${userInfo().username}@${process.env.HOSTNAME ?? 'localhost'}`,
    selected: [...compiled.selected].sort(),
    vars: options.vars,
    fullRefresh: options.fullRefresh,
  });
  // before any node reads a source: where this build starts reading the sources that declare `changes:`
  await recordSourceMarks(db.pool, buildId, manifest, published.sourceMarks);
  const plan = planBuild(manifest, { buildId, selected: compiled.selected, published, fullRefresh: options.fullRefresh });
  await writeCompiledArtifacts(compiled.targetDir, manifest, publicPlanResolver(manifest), compiled.compileKey);
  await createBuildSchemas(db.pool, buildId, plan.schemas);
  log(`build ${buildId}: ${plan.nodes.length} nodes, ${plan.tests.length} tests, writing to ${Object.values(plan.schemas).join(', ')}`);
  return { buildId, published, plan };
}

/**
 * Runs the plan's nodes and their tests, recording each result as it comes. When the server goes
 * away under a node, no new node starts and `lost` says why, naming the node.
 */
async function executePlan(
  run: BuildRun,
  { buildId, published, plan }: PreparedBuild,
): Promise<ScheduleOutcome & { readonly lost?: string; readonly unindexed?: string }> {
  const { compiled: { manifest, project }, db, log, options } = run;
  const threads = Math.max(1, options.threads);
  let lost: string | undefined;
  const cancelled = (): boolean => (run.cancelled?.() ?? false) || lost !== undefined;
  const workers = modelWorkers(run, plan, cancelled);
  const deferredIndexes = new DeferredIndexes(db.pool);
  const context: RunContext = {
    pool: db.pool,
    projectDir: project.settings.dir,
    seedTypes: new Map(project.seeds.map((s) => [s.name, s.columnTypes])),
    vars: manifest.vars,
    buildId,
    published,
    log,
    onServerLost: (reason, nodeId) => (lost ??= `${reason} while ${describeNode(nodeId, undefined)} ran`),
    ...(workers ? { tsWorkers: workers } : {}),
    deferredIndexes,
  };
  // the tests of every node share `threads` queries at once, less the nodes building, which take
  // their own `threads` places (execute/schedule.ts, execute/test-slots.ts)
  const testSlots = new TestSlots(threads);
  const unchanged = new UnchangedNodes(db.pool, manifest, plan, published, { dir: project.settings.dir, seedTypes: context.seedTypes });
  try {
    const ran = new Map<string, NodeResult>();
    const outcome = await schedule(manifest, plan, threads, {
      cancelled,
      runNode: async (planned) => {
        testSlots.nodeStarted();
        const result = await unchanged.run(planned, (p) => runNode(p, context)).finally(() => testSlots.nodeEnded());
        await whileServerReturns(() => recordNode(db.pool, buildId, result));
        log(progressLine(planned, result));
        ran.set(result.id, result);
        return result;
      },
      runTests: async (tests) => runTests(db.pool, buildId, tests, { slots: testSlots.run, unchanged: (t) => unchanged.testInputs(t) }),
    });
    // with the server gone there is nothing to record into; the next build marks this one cancelled
    if (lost === undefined) await recordSkipped(run, buildId, plan, outcome.nodes, ran);
    // the publish needs every index the next build reads (execute/deferred-indexes.ts)
    const unindexed = await deferredIndexes.settle();
    return { ...outcome, ...(lost ? { lost } : {}), ...(unindexed ? { unindexed } : {}) };
  } finally {
    await deferredIndexes.settle();
    await workers?.close();
  }
}

/**
 * Records the nodes the build skipped, so that `strata_meta.node_runs` holds every node of the
 * plan as the build's outcome reports it. A node that ran while a parent's test failed was shown
 * as ok and recorded as run (execute/schedule.ts): its record and the log now say it was discarded.
 */
async function recordSkipped(run: BuildRun, buildId: number, plan: Plan, nodes: readonly NodeResult[], ran: ReadonlyMap<string, NodeResult>): Promise<void> {
  const planned = new Map(plan.nodes.map((p) => [p.node.id, p]));
  for (const result of nodes) {
    const earlier = ran.get(result.id);
    if (result.status !== 'skipped' || earlier?.status === 'skipped') continue;
    if (earlier === undefined) await whileServerReturns(() => recordNode(run.db.pool, buildId, result));
    else {
      await whileServerReturns(() => recordDiscarded(run.db.pool, buildId, result));
      run.log(`  skip  ${nodeLabel(planned.get(result.id)!)} (ran, then discarded: ${result.skippedBecause} failed)`);
    }
  }
}

/**
 * The build's worker threads for its TypeScript models; the first starts now, so that its start
 * overlaps the first models (staging: server work while Node waits). None without such models.
 */
function modelWorkers(run: BuildRun, plan: Plan, cancelled: () => boolean): TsWorkers | undefined {
  const models = plan.nodes.filter((p) => p.node.language === 'ts').length;
  if (run.tsModels !== 'worker' || models === 0) return undefined;
  const workers = new TsWorkers({ pool: run.db.pool, cancelled, models });
  workers.warm();
  return workers;
}

/** Publishes the build; returns why publishing failed, or undefined when it succeeded. */
async function publishPlan(run: BuildRun, { buildId }: PreparedBuild, operations: OperationsProject | undefined): Promise<string | undefined> {
  try {
    // statements planned before this build attached its partitions must not see its pointer
    const earlier = await awaitEarlierStatements(run.db.pool);
    if (earlier.stillRunning > 0) {
      run.log(`publishing beside ${earlier.stillRunning} statement${earlier.stillRunning === 1 ? '' : 's'} begun before it, after waiting ${(earlier.waitedMs / 1000).toFixed(1)} s`);
    }
    await publish(run.db.pool, {
      manifest: run.compiled.manifest,
      buildId,
      rows: await buildOutputs(run.db.pool, buildId),
      kind: 'publish',
      by: userInfo().username,
      bi: biAccessOf(run.compiled.project.settings),
      ...(operations ? { operations } : {}),
      retry: { lockTimeoutMs: 500, attempts: 40, log: run.log },
    });
    return undefined;
  } catch (error) {
    return `publishing failed: ${serverLostReason(error) ?? (error instanceof Error ? error.message : String(error))}`;
  }
}

/**
 * Records how the build ended; after a publish, records the retracted batches it removed and drops
 * builds beyond the ones kept.
 */
async function closeBuild(run: BuildRun, buildId: number, ending: BuildEnding, nodes: readonly NodeResult[]): Promise<void> {
  try {
    await whileServerReturns(() => finishBuild(run.db.pool, buildId, ending.status, ending.blockedBy));
  } catch (error) {
    run.log(`could not record the end of build ${buildId} (${serverLostReason(error) ?? String(error)}); the next build records it as cancelled`);
  }
  if (!ending.published) return;
  const retracted = await recordAppliedRetractions(run.db.pool, buildId, run.compiled.manifest, nodes);
  if (retracted.length > 0) run.log(`removed the lines of retracted batch${retracted.length > 1 ? 'es' : ''} ${retracted.join(', ')} (strata_meta.applied_retractions)`);
  const kept = await applyRetention(run.db.pool, run.compiled.project.settings.keepBuilds, buildId);
  if (kept.schemas.length > 0) run.log(`dropped old build schemas: ${kept.schemas.join(', ')}`);
  if (kept.partitions.length > 0) run.log(`dropped old partitions: ${kept.partitions.join(', ')}`);
}

function nodeLabel(planned: PlannedNode): string {
  return `${planned.node.resourceType} ${planned.publicRelation.schema}.${planned.publicRelation.name}`;
}

function progressLine(planned: PlannedNode, result: NodeResult): string {
  const what = nodeLabel(planned);
  if (result.keptFrom !== undefined) return `  kept  ${what} (unchanged since build ${result.keptFrom})`;
  if (result.status === 'success') {
    const rows = result.rows === null ? '' : ` ${rowCount(result.rows)}`;
    return `  ok    ${what}${rows} (${(result.durationMs / 1000).toFixed(2)}s)`;
  }
  return `  ${result.status === 'error' ? 'error' : 'skip '} ${what}`;
}

export { formatSummary };
