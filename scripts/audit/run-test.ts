import type pg from 'pg';
import type { PlannedTest, TestResult } from '../core/types.ts';
import { resolveValues } from '../execute/resolve-values.ts';

/** At most this many failing rows are kept for inspection; the count is always exact. */
export const FAILURE_SAMPLE = 100;

export interface TestOutcome {
  readonly result: TestResult;
  /** failing rows, as JSON objects, at most FAILURE_SAMPLE */
  readonly sample: readonly unknown[];
}

export interface RunTestOptions {
  /**
   * Group by sorting, not hashing (`enable_hashagg` off for this query): for a `unique` test
   * nearly every row is a group of its own, and a hash table of them outgrows `work_mem`, spills
   * and is read back, where a sort runs once. The landing's `unique_combination_of_columns` at
   * 10 M lines: 8.2–8.6 s hashed, 4.3 s sorted; on Online Retail 0.31 s either way
   * (docs/benchmarks.md, session 16).
   */
  readonly sortGroups?: boolean;
}

/**
 * Runs one data test: its SQL returns the failing rows, so it passes when it returns none. A warn
 * test that fails reports `warn`; an error test `fail`. A test whose SQL cannot run is `error`.
 */
export async function runTest(pool: pg.Pool, planned: PlannedTest, options: RunTestOptions = {}): Promise<TestOutcome> {
  const { test } = planned;
  const started = performance.now();
  const base = { id: test.id, severity: test.severity, location: test.location };
  try {
    // a test local to a key carries its touched key values as marked sub-selects (plan/scoped-keys.ts)
    const sql = await resolveValues(pool, planned.sql, { multiline: true });
    const query =
      `with failing as (\n${sql}\n)\n` +
      `select (select count(*) from failing) as failures,\n` +
      `       (select json_agg(f) from (select * from failing limit ${FAILURE_SAMPLE}) f) as sample`;
    const result = options.sortGroups ? await withoutHashAggregates(pool, query) : await pool.query<FailingRows>(query);
    const failures = Number(result.rows[0]?.failures ?? 0);
    const status = failures === 0 ? 'pass' : test.severity === 'warn' ? 'warn' : 'fail';
    const sample = result.rows[0]?.sample ?? [];
    return {
      result: {
        ...base,
        status,
        failures,
        durationMs: Math.round(performance.now() - started),
        ...(failures > 0 ? { message: failureMessage(failures, status, sample) } : {}),
      },
      sample,
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

type FailingRows = { failures: string; sample: unknown[] | null };

/** `query` in a transaction of its own with hash aggregation off (`set local`: the pool's session keeps its settings). */
async function withoutHashAggregates(pool: pg.Pool, query: string): Promise<pg.QueryResult<FailingRows>> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('set local enable_hashagg = off');
    const result = await client.query<FailingRows>(query);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Failing rows a warning's message shows, and the characters each may take. */
const WARNING_ROWS = 3;
const WARNING_ROW_CHARS = 240;

/**
 * "2 failing rows"; a warning adds its first rows (column=value, cut short), because a warning
 * does not stop the build and its summary line is all most users read of it (e.g. which source
 * was published without lifetime value, and why). A failure's rows are in strata_meta.test_failures.
 */
function failureMessage(failures: number, status: string, sample: readonly unknown[]): string {
  const count = `${failures} failing row${failures === 1 ? '' : 's'}`;
  if (status !== 'warn' || sample.length === 0) return count;
  const rows = sample.slice(0, WARNING_ROWS).map((row) => {
    const text = Object.entries(row as Record<string, unknown>)
      .map(([column, value]) => `${column}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(', ');
    return text.length > WARNING_ROW_CHARS ? `${text.slice(0, WARNING_ROW_CHARS - 1)}…` : text;
  });
  return `${count}: ${rows.join('; ')}${failures > rows.length ? '; …' : ''}`;
}

/** True when a test result must stop publishing. */
export function blocksPublish(result: TestResult): boolean {
  return result.severity === 'error' && (result.status === 'fail' || result.status === 'error');
}
