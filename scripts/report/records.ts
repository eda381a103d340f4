import type pg from 'pg';
import type { NodeResult, TestResult } from '../core/types.ts';

/** Records one node's result of a build (run or skipped, rows, time, error). */
export async function recordNode(pool: pg.Pool, buildId: number, result: NodeResult): Promise<void> {
  await pool.query(
    `insert into strata_meta.node_runs (build_id, node_id, status, rows, duration_ms, error, kept_from) values ($1, $2, $3, $4, $5, $6, $7)`,
    [buildId, result.id, result.status, result.rows, Math.round(result.durationMs), result.error ?? result.skippedBecause ?? null, result.keptFrom ?? null],
  );
}

/**
 * Marks as skipped a node recorded as run whose result the build then discarded: it started while
 * a parent's test ran, and that test failed (execute/schedule.ts). Its run time stays recorded
 * (the time was spent); its rows do not (they were never published).
 */
export async function recordDiscarded(pool: pg.Pool, buildId: number, result: NodeResult): Promise<void> {
  await pool.query(
    `update strata_meta.node_runs set status = 'skipped', rows = null, error = $3 where build_id = $1 and node_id = $2`,
    [buildId, result.id, result.skippedBecause ?? null],
  );
}

/**
 * Records one data test's result (with the test's definition hash, CompiledTest.definition, and the
 * versions of what it read, execute/input-versions.ts) and a
 * sample of its failing rows, in one transaction that does
 * not wait for its WAL to reach disk (`synchronous_commit = off`): a build records hundreds of
 * results, and waiting for a disk flush after each was seconds of an incremental build. Nothing
 * is lost that matters: WAL is written in order, so the publish (a synchronous commit) makes every
 * earlier record durable with it, and a crash before it leaves a build that never published.
 */
export async function recordTest(
  pool: pg.Pool, buildId: number, result: TestResult, sample: readonly unknown[], definition?: string, inputs?: Readonly<Record<string, string | null>>,
): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    await client.query('set local synchronous_commit = off');
    await client.query(
      `insert into strata_meta.test_results (build_id, test_id, status, severity, failures, duration_ms, message, file, line, definition, inputs)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [buildId, result.id, result.status, result.severity, result.failures, Math.round(result.durationMs), result.message ?? null,
        result.location.file, result.location.line, definition ?? null, inputs === undefined ? null : JSON.stringify(inputs)],
    );
    if (sample.length > 0) {
      await client.query(
        `insert into strata_meta.test_failures (build_id, test_id, ordinal, row_data)
         select $1, $2, ordinality, value from jsonb_array_elements($3::jsonb) with ordinality`,
        [buildId, result.id, JSON.stringify(sample)],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch((lost: Error) => (broken = lost));
    throw error;
  } finally {
    // a connection that could not even roll back is not given back to the pool
    client.release(broken);
  }
}
