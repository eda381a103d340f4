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

/** One data test's result to record, with what recordTests stores beside it. */
export interface TestRecord {
  readonly result: TestResult;
  /** a sample of its failing rows */
  readonly sample: readonly unknown[];
  /** the test's definition hash (CompiledTest.definition) */
  readonly definition?: string;
  /** the versions of what it read (execute/input-versions.ts) */
  readonly inputs?: Readonly<Record<string, string | null>>;
}

/**
 * Records data tests' results and samples of their failing rows, all in one transaction with one
 * insert per table (a build records a node's row-local tests, or every test it did not run,
 * together: on Online Retail a build with nothing new recorded 518 such results one transaction
 * each, four round trips apiece), and that transaction does not wait for its WAL to reach disk
 * (`synchronous_commit = off`): waiting for a disk flush after each was seconds of an incremental
 * build. Nothing is lost that matters: WAL is written in order, so the publish (a synchronous
 * commit) makes every earlier record durable with it, and a crash before it leaves a build that
 * never published.
 */
export async function recordTests(pool: pg.Pool, buildId: number, records: readonly TestRecord[]): Promise<void> {
  if (records.length === 0) return;
  const client = await pool.connect();
  let broken: Error | undefined;
  const column = <T>(pick: (record: TestRecord) => T): T[] => records.map(pick);
  try {
    await client.query('begin');
    await client.query('set local synchronous_commit = off');
    await client.query(
      `insert into strata_meta.test_results (build_id, test_id, status, severity, failures, duration_ms, message, file, line, definition, inputs)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::int[], $10::text[], $11::jsonb[])`,
      [
        buildId,
        column((r) => r.result.id),
        column((r) => r.result.status),
        column((r) => r.result.severity),
        column((r) => r.result.failures),
        column((r) => Math.round(r.result.durationMs)),
        column((r) => r.result.message ?? null),
        column((r) => r.result.location.file),
        column((r) => r.result.location.line),
        column((r) => r.definition ?? null),
        column((r) => (r.inputs === undefined ? null : JSON.stringify(r.inputs))),
      ],
    );
    const failing = records.filter((r) => r.sample.length > 0);
    if (failing.length > 0) {
      await client.query(
        `insert into strata_meta.test_failures (build_id, test_id, ordinal, row_data)
         select $1, f.test_id, rows.ordinality, rows.value
         from unnest($2::text[], $3::jsonb[]) as f (test_id, sample),
              jsonb_array_elements(f.sample) with ordinality as rows`,
        [buildId, failing.map((r) => r.result.id), failing.map((r) => JSON.stringify(r.sample))],
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
