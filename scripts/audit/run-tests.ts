import type pg from 'pg';
import type { PlannedTest, TestResult } from '../core/types.ts';
import { whileServerReturns } from '../db/server-lost.ts';
import { recordTest } from '../report/records.ts';
import { countInOnePass, isRowTest, type RowTest } from './one-pass.ts';
import { runTest, type TestOutcome } from './run-test.ts';
import { provedByUniqueIndex } from './unique-index.ts';

export interface RunTestsOptions {
  /** how many queries run at once (tests only read) */
  readonly concurrency: number;
  /**
   * The rows a node's build added, as a SQL condition over its relation (PlannedNode.addedRows),
   * when the storage can tell: row-local tests of that node then check only those rows.
   */
  readonly addedRows?: (nodeId: string) => string | undefined;
}

/**
 * Runs a batch of data tests (a node's, or the source tests) and records each result:
 * - row-local tests (not_null, accepted_values, expression_is_true, relationships) of one subject
 *   share one pass over it; a test that counts failing rows there is run again on its own, so its
 *   failure count and failing rows are exactly what its own query returns;
 * - a `unique` test on a column with a unique index passes without a scan;
 * - every other test runs its own query.
 * Results come back in the tests' order.
 */
export async function runTests(pool: pg.Pool, buildId: number, tests: readonly PlannedTest[], options: RunTestsOptions): Promise<readonly TestResult[]> {
  const results = new Map<PlannedTest, TestResult>();
  const record = async (test: PlannedTest, outcome: TestOutcome): Promise<void> => {
    await whileServerReturns(() => recordTest(pool, buildId, outcome.result, outcome.sample));
    results.set(test, outcome.result);
  };
  const units: (() => Promise<void>)[] = [];
  for (const [key, group] of groupRowTests(tests)) {
    units.push(async () => {
      for (const [test, outcome] of await runRowGroup(pool, group, options.addedRows?.(key.nodeId))) await record(test, outcome);
    });
  }
  for (const test of tests.filter((t) => !isRowTest(t))) {
    units.push(async () => record(test, await runUniqueOrQuery(pool, test)));
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < units.length; i = next++) await units[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency), units.length) }, worker));
  return tests.map((t) => results.get(t)!);
}

interface GroupKey {
  readonly nodeId: string;
  readonly subject: string;
}

/** Row-local tests by the relation they read (and the node whose rows those are). */
function groupRowTests(tests: readonly PlannedTest[]): Map<GroupKey, RowTest[]> {
  const byText = new Map<string, { key: GroupKey; tests: RowTest[] }>();
  for (const test of tests.filter(isRowTest)) {
    const text = `${test.check.subjectId}\n${test.check.subject}`;
    const entry = byText.get(text) ?? { key: { nodeId: test.check.subjectId, subject: test.check.subject }, tests: [] };
    entry.tests.push(test);
    byText.set(text, entry);
  }
  return new Map([...byText.values()].map((e) => [e.key, e.tests]));
}

/** One pass for the group; tests it finds failing (or all, if the pass cannot run) run alone. */
async function runRowGroup(pool: pg.Pool, group: readonly RowTest[], addedRows: string | undefined): Promise<[PlannedTest, TestOutcome][]> {
  const started = performance.now();
  let counts: readonly number[] | undefined;
  try {
    counts = await countInOnePass(pool, group[0]!.check.subject, group, addedRows);
  } catch {
    counts = undefined;
  }
  const each = Math.round((performance.now() - started) / group.length);
  const out: [PlannedTest, TestOutcome][] = [];
  for (const [i, test] of group.entries()) {
    if (counts !== undefined && counts[i] === 0) {
      out.push([test, passed(test, each)]);
    } else {
      out.push([test, await runTest(pool, test)]);
    }
  }
  return out;
}

async function runUniqueOrQuery(pool: pg.Pool, test: PlannedTest): Promise<TestOutcome> {
  const started = performance.now();
  if (await provedByUniqueIndex(pool, test).catch(() => false)) {
    return passed(test, Math.round(performance.now() - started), 'proved by a unique index');
  }
  return runTest(pool, test);
}

function passed(planned: PlannedTest, durationMs: number, message?: string): TestOutcome {
  const { test } = planned;
  return {
    result: { id: test.id, severity: test.severity, location: test.location, status: 'pass', failures: 0, durationMs, ...(message ? { message } : {}) },
    sample: [],
  };
}
