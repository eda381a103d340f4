import type { Queryable } from '../../panels/run.ts';
import { num0, str } from '../../panels/run.ts';
import type { TestRun } from './pages.ts';

/** Each data test's latest recorded result (strata_meta.test_results), by test id. */
export async function readTestRuns(db: Queryable): Promise<Map<string, TestRun>> {
  const { rows } = await db.query(
    `select distinct on (test_id) test_id, status, failures, build_id
       from strata_meta.test_results
      order by test_id, build_id desc`,
  );
  return new Map(
    (rows as Record<string, unknown>[]).map((r) => [str(r.test_id), { status: str(r.status), failures: num0(r.failures), buildId: num0(r.build_id) }]),
  );
}
