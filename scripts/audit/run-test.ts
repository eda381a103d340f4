import type pg from 'pg';
import type { PlannedTest, TestResult } from '../core/types.ts';

/** At most this many failing rows are kept for inspection; the count is always exact. */
export const FAILURE_SAMPLE = 100;

export interface TestOutcome {
  readonly result: TestResult;
  /** failing rows, as JSON objects, at most FAILURE_SAMPLE */
  readonly sample: readonly unknown[];
}

/**
 * Runs one data test: its SQL returns the failing rows, so it passes when it returns none. A warn
 * test that fails reports `warn`; an error test `fail`. A test whose SQL cannot run is `error`.
 */
export async function runTest(pool: pg.Pool, planned: PlannedTest): Promise<TestOutcome> {
  const { test } = planned;
  const started = performance.now();
  const base = { id: test.id, severity: test.severity, location: test.location };
  try {
    const result = await pool.query<{ failures: string; sample: unknown[] | null }>(
      `with failing as (\n${planned.sql}\n)\n` +
        `select (select count(*) from failing) as failures,\n` +
        `       (select json_agg(f) from (select * from failing limit ${FAILURE_SAMPLE}) f) as sample`,
    );
    const failures = Number(result.rows[0]?.failures ?? 0);
    const status = failures === 0 ? 'pass' : test.severity === 'warn' ? 'warn' : 'fail';
    return {
      result: {
        ...base,
        status,
        failures,
        durationMs: Math.round(performance.now() - started),
        ...(failures > 0 ? { message: `${failures} failing row${failures === 1 ? '' : 's'}` } : {}),
      },
      sample: result.rows[0]?.sample ?? [],
    };
  } catch (error) {
    const pgError = error as { message?: string; hint?: string };
    return {
      result: {
        ...base,
        status: 'error',
        failures: 0,
        durationMs: Math.round(performance.now() - started),
        message: `${pgError.message ?? String(error)}${pgError.hint ? ` (hint: ${pgError.hint})` : ''}`,
      },
      sample: [],
    };
  }
}

/** True when a test result must stop publishing. */
export function blocksPublish(result: TestResult): boolean {
  return result.severity === 'error' && (result.status === 'fail' || result.status === 'error');
}
