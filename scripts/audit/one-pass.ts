import type pg from 'pg';
import type { PlannedTest } from '../core/types.ts';

/** A row-local test (its check is `row`) and its subject, resolved. */
export type RowTest = PlannedTest & { readonly check: { readonly kind: 'row'; readonly subject: string; readonly failsWhen: string } };

/** True for tests that are counted in a shared pass over their subject (not an `ownQuery` one). */
export function isRowTest(test: PlannedTest): test is RowTest {
  return test.check?.kind === 'row' && test.check.ownQuery !== true;
}

/**
 * The one query that counts the failing rows of every row-local test of one subject: one scan,
 * `count(*) filter (where …)` per test, instead of one scan per test. A test scoped to the rows a
 * build added has that build's view of them as its subject (plan/scoped-tests.ts).
 *
 * @example onePassSql('"silver__b7"."orders"', ['(invoice_no is null)', '(not (lines >= 1))'])
 *   // select count(*) filter (where (invoice_no is null)) as "0", … from "silver__b7"."orders" as m
 */
export function onePassSql(subject: string, failsWhen: readonly string[]): string {
  const counts = failsWhen.map((condition, i) => `  count(*) filter (where ${condition}) as "${i}"`).join(',\n');
  return `select\n${counts}\nfrom ${subject} as m`;
}

/**
 * Counts each test's failing rows in one pass over their shared subject. Throws when the query
 * cannot run (one test's condition may be broken): the caller then runs the tests one by one, so
 * the broken test reports its own error.
 */
export async function countInOnePass(pool: pg.Pool, subject: string, tests: readonly RowTest[]): Promise<readonly number[]> {
  const result = await pool.query<Record<string, string>>(onePassSql(subject, tests.map((t) => t.check.failsWhen)));
  const row = result.rows[0] ?? {};
  return tests.map((_, i) => Number(row[String(i)] ?? 0));
}
