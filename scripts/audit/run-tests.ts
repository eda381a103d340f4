import type pg from 'pg';
import type { PlannedTest, TestResult } from '../core/types.ts';
import type { Slots } from '../execute/test-slots.ts';
import { whileServerReturns } from '../db/server-lost.ts';
import { recordTests, type TestRecord } from '../report/records.ts';
import { provedByNotNull } from './not-null-constraint.ts';
import { countInOnePass, isRowTest, type RowTest } from './one-pass.ts';
import { runTest, type TestOutcome } from './run-test.ts';
import { provedByUniqueIndex } from './unique-index.ts';

export interface RunTestsOptions {
  /**
   * How many queries run at once (tests only read): each takes a slot. A build shares its slots
   * among the tests of all its nodes, giving way to the nodes building (execute/test-slots.ts);
   * `strata test` gives each run a limit of its own.
   */
  readonly slots: Slots;
  /**
   * A build's view of what a test reads (execute/keep-unchanged.ts): the versions of its inputs,
   * recorded with its result, and the published build in which it passed on the very same inputs,
   * when there is one: it then passes without running.
   */
  readonly unchanged?: (test: PlannedTest) => Promise<TestInputs>;
}

/**
 * Runs a batch of data tests (a node's, or the source tests) and records each result:
 * - row-local tests (not_null, accepted_values, expression_is_true) of one subject share one
 *   pass over it (relationships run their own anti-join: TestCheck `ownQuery`); a test that
 *   counts failing rows there is run again on its own, so its
 *   failure count and failing rows are exactly what its own query returns;
 * - a `unique` test on a column with a unique index passes without a scan, and so does a
 *   `not_null` test on a table column declared `not null`;
 * - every other test runs its own query.
 * A test the plan scoped to the rows this build added (PlannedTest.scopedToAdded) reads only them,
 * in the pass and in its own query, and says so in its message; so does a test scoped to the key
 * values this build touched (PlannedTest.scopedToKeys), whose query reads only those. A test that
 * passed in the published build on inputs of the same versions (`unchanged`) is recorded as
 * passed without running, saying why.
 * Results come back in the tests' order.
 */
export async function runTests(pool: pg.Pool, buildId: number, all: readonly PlannedTest[], options: RunTestsOptions): Promise<readonly TestResult[]> {
  const results = new Map<PlannedTest, TestResult>();
  const inputs = new Map<PlannedTest, TestInputs>();
  /** records outcomes together (one transaction), those of tests that ran scoped as they were */
  const record = async (outcomes: readonly (readonly [PlannedTest, TestOutcome])[], asRun = true): Promise<void> => {
    const records = outcomes.map(([test, outcome]): TestRecord => {
      const read = inputs.get(test)?.inputs;
      return {
        result: asRun ? scoped(test, outcome.result) : outcome.result,
        sample: outcome.sample,
        ...(test.test.definition === undefined ? {} : { definition: test.test.definition }),
        ...(read === undefined ? {} : { inputs: read }),
      };
    });
    await whileServerReturns(() => recordTests(pool, buildId, records));
    for (const [i, [test]] of outcomes.entries()) results.set(test, records[i]!.result);
  };
  const units: (() => Promise<void>)[] = [];
  const tests: PlannedTest[] = [];
  const notRun: [PlannedTest, TestOutcome][] = [];
  const states = await Promise.all(all.map(async (test) => (await options.unchanged?.(test)) ?? {}));
  for (const [i, test] of all.entries()) {
    const state = states[i]!;
    inputs.set(test, state);
    if (state.passedIn === undefined) tests.push(test);
    else notRun.push([test, passed(test, 0, `not run: nothing it reads changed since it passed in build ${state.passedIn}`)]);
  }
  // recorded in the slots beside the tests that run, not one after another first
  if (notRun.length > 0) units.push(() => record(notRun, false));
  const proved = await provedByNotNull(pool, tests).catch(() => new Set<PlannedTest>());
  if (proved.size > 0) units.push(() => record([...proved].map((test) => [test, passed(test, 0, 'proved by a NOT NULL constraint')])));
  for (const group of groupRowTests(tests.filter((test) => !proved.has(test)))) {
    units.push(async () => record(await runRowGroup(pool, group)));
  }
  for (const test of tests.filter((t) => !isRowTest(t))) {
    units.push(async () => record([[test, await runUniqueOrQuery(pool, test)]]));
  }
  await Promise.all(units.map((unit) => options.slots(unit)));
  return all.map((t) => results.get(t)!);
}

/** What a test reads, as execute/keep-unchanged.ts sees it. */
export interface TestInputs {
  /** input id → its version; absent when one is unknown (the test then always runs) */
  readonly inputs?: Readonly<Record<string, string | null>>;
  /** the published build in which it passed on the same inputs */
  readonly passedIn?: number;
}

/** Row-local tests by the relation they read (a scoped test reads its subject's added rows). */
function groupRowTests(tests: readonly PlannedTest[]): RowTest[][] {
  const bySubject = new Map<string, RowTest[]>();
  for (const test of tests.filter(isRowTest)) {
    bySubject.set(test.check.subject, [...(bySubject.get(test.check.subject) ?? []), test]);
  }
  return [...bySubject.values()];
}

/** One pass for the group; tests it finds failing (or all, if the pass cannot run) run alone. */
async function runRowGroup(pool: pg.Pool, group: readonly RowTest[]): Promise<[PlannedTest, TestOutcome][]> {
  const started = performance.now();
  let counts: readonly number[] | undefined;
  try {
    counts = await countInOnePass(pool, group[0]!.check.subject, group);
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
  return runTest(pool, test, { sortGroups: test.check?.kind === 'unique' });
}

/** A scoped test's result says what it checked, so a pass is not read as "every row passed". */
function scoped(test: PlannedTest, result: TestResult): TestResult {
  const note = test.scopedToAdded ? 'checked the rows this build added'
    : test.scopedToChanges ? 'checked the rows this build changed'
    : test.scopedToKeys ? `checked the ${test.scopedToKeys.join(', ')} values this build touched` : undefined;
  if (note === undefined) return result;
  return { ...result, message: result.message === undefined ? note : `${result.message} (${note})` };
}

function passed(planned: PlannedTest, durationMs: number, message?: string): TestOutcome {
  const { test } = planned;
  return {
    result: { id: test.id, severity: test.severity, location: test.location, status: 'pass', failures: 0, durationMs, ...(message ? { message } : {}) },
    sample: [],
  };
}
