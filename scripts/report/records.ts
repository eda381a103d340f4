import type pg from 'pg';
import type { NodeResult, TestResult } from '../core/types.ts';

/** Records one node's result of a build (run or skipped, rows, time, error). */
export async function recordNode(pool: pg.Pool, buildId: number, result: NodeResult): Promise<void> {
  await pool.query(
    `insert into strata_meta.node_runs (build_id, node_id, status, rows, duration_ms, error) values ($1, $2, $3, $4, $5, $6)`,
    [buildId, result.id, result.status, result.rows, Math.round(result.durationMs), result.error ?? result.skippedBecause ?? null],
  );
}

/** Records one data test's result and a sample of its failing rows. */
export async function recordTest(pool: pg.Pool, buildId: number, result: TestResult, sample: readonly unknown[]): Promise<void> {
  await pool.query(
    `insert into strata_meta.test_results (build_id, test_id, status, severity, failures, duration_ms, message, file, line)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [buildId, result.id, result.status, result.severity, result.failures, Math.round(result.durationMs), result.message ?? null,
      result.location.file, result.location.line],
  );
  if (sample.length === 0) return;
  await pool.query(
    `insert into strata_meta.test_failures (build_id, test_id, ordinal, row_data)
     select $1, $2, ordinality, value from jsonb_array_elements($3::jsonb) with ordinality`,
    [buildId, result.id, JSON.stringify(sample)],
  );
}
