import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../scripts/cli/build.ts';
import { compileSelection, type CommonOptions } from '../../scripts/cli/session.ts';
import { openDatabase, type Database } from '../../scripts/db/connect.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { liveModelWorkers } from '../../scripts/execute/ts-worker/pool.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { buildProject, fixture, openTestProjectDb, whyNot } from '../support/build.ts';
import { testTargetDir } from '../support/scratch.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * TypeScript models run in worker threads (scripts/execute/ts-worker/): the same results as on the
 * build's own thread, bit for bit; a model's error reported as on that thread (the error family,
 * naming the model and its file:line); a cancelled build terminates a worker that is computing.
 */

/** Every row of a relation as text, doubles in their shortest exact form (extra_float_digits 1 and up). */
async function exactRows(db: Database, relation: string, order: string, without: readonly string[] = []): Promise<string[]> {
  const drop = without.map((c) => ` - '${c}'`).join('');
  const result = await db.pool.query<{ row: string }>(`select (to_jsonb(r)${drop})::text as row from ${relation} r order by ${order}`);
  return result.rows.map((r) => r.row);
}

describe('a TypeScript model in a worker thread (fixture tests/fixtures/ts-workers)', () => {
  let testDb: TestDatabase;
  let db: Database;
  const dir = fixture('ts-workers');

  beforeAll(async () => {
    testDb = await createTestDatabase('ts_workers');
    db = await openTestProjectDb(testDb.url, dir);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('writes exactly what the same model writes on the build thread', async () => {
    const inWorker = await buildProject(db, dir, { tsModels: 'worker' });
    expect(inWorker.exitCode, whyNot(inWorker)).toBe(0);
    const fromWorker = await exactRows(db, 'gold.clusters', 'segment');
    const inThread = await buildProject(db, dir, { tsModels: 'thread', fullRefresh: true });
    expect(inThread.exitCode, whyNot(inThread)).toBe(0);
    expect(fromWorker.length).toBeGreaterThanOrEqual(2);
    expect(await exactRows(db, 'gold.clusters', 'segment')).toEqual(fromWorker);
    expect(liveModelWorkers()).toBe(0);
  });

  it("reports a model's exception as the error family does on the build thread: model, file and line", async () => {
    const messages: string[] = [];
    for (const tsModels of ['worker', 'thread'] as const) {
      const outcome = await buildProject(db, dir, { tsModels, vars: { fail: true } });
      expect(outcome.exitCode).toBe(1);
      const node = outcome.report.nodes.find((n) => n.id === 'model.clusters')!;
      expect(node.status).toBe('error');
      messages.push(node.error!);
    }
    expect(messages[0]).toMatch(/^Error in model clusters \(models\/gold\/clusters\.ts:12\): the fit found no segment near \d+\.\d\d$/);
    expect(messages[1]).toBe(messages[0]);
    expect(liveModelWorkers()).toBe(0);
  });

  it('a cancelled build terminates the worker of a model that computes without end, and its session ends', async () => {
    // a pool of its own, named, so that every session the build opened (the worker's too) can be found
    const applicationName = `strata build ts-workers-cancel-${process.pid}`;
    const own = await openDatabase({ projectDir: dir, databaseUrl: testDb.url, applicationName });
    await runMigrations(own.pool);
    let cancel = false;
    const options: CommonOptions = { projectDir: dir, select: [], exclude: [], vars: { spin: true }, threads: 4, fullRefresh: false };
    const compiled = await compileSelection(options, undefined, testTargetDir());
    const log = (line: string): void => {
      if (line.includes('computing without end')) cancel = true;
    };
    const started = performance.now();
    const outcome = await runBuild({ command: 'build', options, compiled, db: own, log, cancelled: () => cancel, tsModels: 'worker' });
    const seconds = (performance.now() - started) / 1000;
    await own.close();

    expect(cancel).toBe(true);
    expect(outcome.report.published).toBe(false);
    expect(outcome.report.blockedBy).toBe('the build was cancelled');
    const node = outcome.report.nodes.find((n) => n.id === 'model.clusters')!;
    expect(node.error).toBe('model clusters (models/gold/clusters.ts): stopped, the build was cancelled');
    expect(seconds).toBeLessThan(60); // the loop never ends: only terminating the thread ends the build
    expect(liveModelWorkers()).toBe(0);
    // every connection of the build is closed: the worker's went with its thread
    let sessions = -1;
    for (let attempt = 0; attempt < 50 && sessions !== 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const result = await db.pool.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = $1`, [applicationName]);
      sessions = result.rows[0]!.n;
    }
    expect(sessions).toBe(0);
  });
});

describe('the real project built with its models in workers and on the build thread', () => {
  let testDb: TestDatabase;
  let db: Database;
  const project = fileURLToPath(new URL('../..', import.meta.url));

  beforeAll(async () => {
    testDb = await createTestDatabase('ts_workers_project');
    db = await openTestProjectDb(testDb.url, project);
    await generate(db.pool, { customers: 1500, seed: 11 });
  }, 300_000);
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('gives the same segments, CLV predictions and recorded fits, bit for bit', async () => {
    const snapshot = async () => ({
      centres: await exactRows(db, 'gold.segment_centres', 'segment_id', ['build_id']),
      candidates: await exactRows(db, 'gold.segment_fit_candidates', 'k', ['build_id', 'fitted_at']),
      predictions: await exactRows(db, 'gold.clv_predictions', 'source, x, t_x, age', ['build_id']),
      segmentFit: await exactRows(db, '(select * from strata_meta.segment_fits order by build_id desc limit 1)', '1', ['build_id', 'fitted_at', 'fit_ms']),
      // a holdout candidate stopped by its time limit (clv/pipeline/choose.ts) stops where the clock
      // says, on either thread: only that it stopped is compared
      clvFits: (await exactRows(
        db,
        `(select * from strata_meta.clv_fits where build_id = (select max(build_id) from strata_meta.clv_fits))`,
        'source, model',
        ['build_id', 'fitted_at', 'fit_ms'],
      )).map((row) => row.replace(/no optimum found within the time limit of [^"]*/g, 'no optimum found within the time limit')),
    });
    const inWorkers = await buildProject(db, project, { tsModels: 'worker' });
    expect(inWorkers.exitCode, whyNot(inWorkers)).toBe(0);
    const fromWorkers = await snapshot();
    const inThread = await buildProject(db, project, { tsModels: 'thread', fullRefresh: true });
    expect(inThread.exitCode, whyNot(inThread)).toBe(0);
    const fromThread = await snapshot();
    expect(fromWorkers.centres.length).toBeGreaterThanOrEqual(3);
    expect(fromWorkers.predictions.length).toBeGreaterThan(10);
    expect(fromThread).toEqual(fromWorkers);
  }, 600_000);
});
