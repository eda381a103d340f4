import { userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { runTest, blocksPublish } from '../audit/run-test.ts';
import { writeCompiledArtifacts } from '../compile/write.ts';
import { StrataError, describeNode } from '../core/errors.ts';
import type { NodeResult, PlannedNode, PlannedTest, PublishedState, TestResult } from '../core/types.ts';
import type { Database } from '../db/connect.ts';
import { stateDirOf } from '../db/embedded.ts';
import { acquireBuildLock } from '../execute/build-lock.ts';
import { runSqlNode } from '../execute/run-sql-node.ts';
import { runTsNode } from '../execute/run-ts-node.ts';
import { schedule } from '../execute/schedule.ts';
import { inferSeedColumns, loadSeed } from '../execute/seed/index.ts';
import { planBuild, publicPlanResolver } from '../plan/index.ts';
import { loadOperations } from '../load/operations.ts';
import { ensureBiRole } from '../publish/bi-role.ts';
import { publish } from '../publish/publish.ts';
import { readPublishedState } from '../publish/published-state.ts';
import { dropOldBuilds } from '../publish/retention.ts';
import { createBuildSchemas, finishBuild, markAbandonedBuilds, recordNode, recordTest, startBuild } from '../report/records.ts';
import { writeRunResults } from '../report/run-results.ts';
import { formatSummary, type BuildReport } from '../report/summary.ts';
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
}

/**
 * A whole build: lock, plan, write every selected node into this build's versioned schemas, audit
 * with the data tests, and publish only when nothing with error severity failed. The previously
 * published build stays exactly as it was otherwise.
 */
export async function runBuild(run: BuildRun): Promise<BuildOutcome> {
  const { compiled, db, log, options } = run;
  const { manifest, project } = compiled;
  const started = performance.now();
  // read before building: a broken operations file is reported before any work is done
  const operations = await loadOperations(project.settings.dir);
  const lock = await acquireBuildLock(db.pool);
  try {
    await markAbandonedBuilds(db.pool);
    const biNote = await ensureBiRole(db.pool, project.settings.biRole, stateDirOf(project.settings.dir));
    if (biNote.startsWith('could not') || biNote.startsWith('created')) log(biNote);
    const published = await readPublishedState(db.pool);
    const buildId = await startBuild(db.pool, {
      project: manifest.projectName,
      command: run.command,
      invokedBy: `${userInfo().username}@${process.env.HOSTNAME ?? 'localhost'}`,
      selected: [...compiled.selected].sort(),
      vars: options.vars,
      fullRefresh: options.fullRefresh,
    });
    const plan = planBuild(manifest, { buildId, selected: compiled.selected, published, fullRefresh: options.fullRefresh });
    await writeCompiledArtifacts(compiled.targetDir, manifest, publicPlanResolver(manifest));
    await createBuildSchemas(db.pool, buildId, plan.schemas);
    log(`build ${buildId}: ${plan.nodes.length} nodes, ${plan.tests.length} tests, writing to ${Object.values(plan.schemas).join(', ')}`);

    const seedTypes = new Map(project.seeds.map((s) => [s.name, s.columnTypes]));
    const outcome = await schedule(manifest, plan, Math.max(1, options.threads), {
      cancelled: run.cancelled ?? (() => false),
      runNode: async (planned) => {
        const result = await runNode(db.pool, planned, {
          projectDir: project.settings.dir,
          seedTypes,
          vars: manifest.vars,
          buildId,
          published,
          log,
        });
        await recordNode(db.pool, buildId, result);
        log(progressLine(planned, result));
        return result;
      },
      runTests: async (tests) => runTests(db.pool, buildId, tests, Math.max(1, options.threads)),
    });

    const failedNode = outcome.nodes.find((n) => n.status !== 'success');
    const failedTest = outcome.tests.find(blocksPublish);
    const cancelled = run.cancelled?.() ?? false;
    const blockedBy = cancelled
      ? 'the build was cancelled'
      : failedNode
        ? `${failedNode.id} ${failedNode.status === 'error' ? 'failed' : 'was skipped'}`
        : failedTest
          ? `test ${failedTest.id} failed`
          : undefined;

    let isPublished = false;
    let publishError: string | undefined;
    if (!blockedBy) {
      try {
        await publish(db.pool, {
          manifest,
          buildId,
          relations: plan.publishRelations,
          kind: 'publish',
          by: userInfo().username,
          bi: biAccess(compiled, plan.publishRelations),
          operations,
          retry: { lockTimeoutMs: 500, attempts: 40, log },
        });
        isPublished = true;
      } catch (error) {
        publishError = `publishing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    await finishBuild(db.pool, buildId, cancelled ? 'cancelled' : isPublished ? 'success' : 'error', blockedBy ?? publishError);
    if (isPublished) {
      const dropped = await dropOldBuilds(db.pool, project.settings.keepBuilds, buildId);
      if (dropped.length > 0) log(`dropped old build schemas: ${dropped.join(', ')}`);
    }
    const report: BuildReport = {
      buildId,
      manifest,
      nodes: outcome.nodes,
      tests: outcome.tests,
      published: isPublished,
      previousBuild: published.buildId,
      seconds: (performance.now() - started) / 1000,
      ...((blockedBy ?? publishError) ? { blockedBy: (blockedBy ?? publishError)! } : {}),
    };
    await writeRunResults(compiled.targetDir, run.command, report);
    return { report, exitCode: isPublished ? 0 : cancelled ? 130 : 1 };
  } finally {
    await lock.release();
  }
}

interface NodeContext {
  readonly projectDir: string;
  readonly seedTypes: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  readonly published: PublishedState;
  readonly log: (line: string) => void;
}

/** One node, any kind; never throws: an error becomes the node's result. */
async function runNode(pool: pg.Pool, planned: PlannedNode, context: NodeContext): Promise<NodeResult> {
  const started = performance.now();
  const node = planned.node;
  try {
    let rows: number | null;
    if (node.resourceType === 'seed') {
      const file = join(context.projectDir, node.path);
      const columns = await inferSeedColumns(file, context.seedTypes.get(node.name) ?? {});
      const client = await pool.connect();
      try {
        rows = await loadSeed(client, planned.target, file, columns);
      } finally {
        client.release();
      }
    } else if (node.language === 'ts') {
      rows = await runTsNode(planned, { pool, vars: context.vars, buildId: context.buildId, published: context.published, log: context.log });
    } else {
      const client = await pool.connect();
      try {
        rows = await runSqlNode(client, planned);
      } finally {
        client.release();
      }
    }
    return { id: node.id, status: 'success', rows, durationMs: performance.now() - started };
  } catch (error) {
    const message =
      error instanceof StrataError
        ? error.message
        : `Error in ${describeNode(node.id, { file: node.path, line: 1 })}: ${error instanceof Error ? error.message : String(error)}`;
    return { id: node.id, status: 'error', rows: null, durationMs: performance.now() - started, error: message };
  }
}

/** A node's tests, a few at a time (they only read), results in the tests' order. */
async function runTests(pool: pg.Pool, buildId: number, tests: readonly PlannedTest[], concurrency: number): Promise<readonly TestResult[]> {
  const results: TestResult[] = new Array(tests.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tests.length; i = next++) {
      const { result, sample } = await runTest(pool, tests[i]!);
      await recordTest(pool, buildId, result, sample);
      results[i] = result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tests.length) }, worker));
  return results;
}

function biAccess(compiled: Compiled, relations: Readonly<Record<string, { schema: string; name: string }>>) {
  const settings = compiled.project.settings;
  const hidden = compiled.manifest.nodes
    .filter((n) => n.config.pii && relations[n.id])
    .map((n) => ({ schema: n.config.schema, name: n.config.alias ?? n.name }));
  return { role: settings.biRole, layers: settings.biLayers, hidden };
}

function progressLine(planned: PlannedNode, result: NodeResult): string {
  const what = `${planned.node.resourceType} ${planned.publicRelation.schema}.${planned.publicRelation.name}`;
  if (result.status === 'success') {
    const rows = result.rows === null ? '' : ` ${result.rows.toLocaleString('en-US')} rows`;
    return `  ok    ${what}${rows} (${(result.durationMs / 1000).toFixed(2)}s)`;
  }
  return `  ${result.status === 'error' ? 'error' : 'skip '} ${what}`;
}

export { formatSummary };
