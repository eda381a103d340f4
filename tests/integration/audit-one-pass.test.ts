import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../scripts/audit/run-test.ts';
import { runTests } from '../../scripts/audit/run-tests.ts';
import {
  acceptedValuesFails, acceptedValuesSql, expressionFails, expressionIsTrueSql, failsWhen, notNullFails, notNullSql,
  relationshipsFails, relationshipsSql, uniqueCombinationSql, uniqueSql,
} from '../../scripts/compile/test-sql.ts';
import type { PlannedTest, TestCheck } from '../../scripts/core/types.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { startBuild } from '../../scripts/execute/build-record.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The one-pass runner must give exactly the results (status, failure count, failing rows) that
// running each test's own query gives: it only skips the queries of tests that pass.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('audit_one_pass');
  await runMigrations(db.pool);
  await db.pool.query(`
    create table public.parent (id int);
    insert into public.parent values (1), (null);
    create table public.child (id int, status text, amount numeric);
    insert into public.child values (1, 'a', 1), (null, 'b', 2), (3, 'zz', -1), (3, 'a', null), (4, 'zz', 5);
    create table public.keyed (id int);
    create unique index on public.keyed (id);
    insert into public.keyed values (1), (2), (null), (null);
    create table public.pairs (a int, b int);
    create unique index on public.pairs (b, a);
    insert into public.pairs values (1, 1), (1, 2), (1, null), (1, null);
    create table public.strict_pairs (a int not null, b int not null);
    create unique index on public.strict_pairs (a, b);
    insert into public.strict_pairs values (1, 1), (1, 2);
    create table public.full_pairs (a int, b int);
    create unique index on public.full_pairs (a, b);
    insert into public.full_pairs values (1, 1), (1, 2), (2, 1);`);
});
afterAll(async () => db?.drop());

const C = '"public"."child"';
function planned(name: string, sql: string, check?: TestCheck): PlannedTest {
  return {
    test: { id: `test.${name}`, name, test: name, severity: 'error', sql, definition: name, dependsOn: [], sources: [], location: { file: 'schema.yml', line: 1 }, ...(check ? { check } : {}) },
    sql,
    ...(check ? { check } : {}),
  };
}
const row = (condition: string, where?: string): Extract<TestCheck, { kind: 'row' }> => ({ kind: 'row', subjectId: 'model.child', subject: C, failsWhen: failsWhen(condition, where) });

const TESTS = [
  planned('not_null_id', notNullSql(C, 'id'), row(notNullFails('id'))),
  planned('not_null_status', notNullSql(C, 'status'), row(notNullFails('status'))),
  planned('accepted_status', acceptedValuesSql(C, 'status', ["'a'", "'b'"]), row(acceptedValuesFails('status', ["'a'", "'b'"]))),
  planned('amount_positive', expressionIsTrueSql(C, '> 0', 'amount'), row(expressionFails('> 0', 'amount'))),
  planned('amount_positive_where', expressionIsTrueSql(C, '> 0', 'amount', "status = 'a'"), row(expressionFails('> 0', 'amount'), "status = 'a'")),
  planned('child_has_parent', relationshipsSql(C, 'id', '"public"."parent"', 'id'), { ...row(relationshipsFails('id', '"public"."parent"', 'id')), ownQuery: true }),
  planned('broken', expressionIsTrueSql(C, 'no_such_column > 0'), row(expressionFails('no_such_column > 0'))),
  planned('unique_keyed', uniqueSql('"public"."keyed"', 'id'), { kind: 'unique', subjectId: 'model.keyed', subject: '"public"."keyed"', columns: ['id'] }),
  planned('unique_child', uniqueSql(C, 'id'), { kind: 'unique', subjectId: 'model.child', subject: C, columns: ['id'] }),
  // a unique index lets two (1, null) rows in; the test groups nulls together, so it must run
  planned('pairs', uniqueCombinationSql('"public"."pairs"', ['a', 'b']), { kind: 'unique', subjectId: 'model.pairs', subject: '"public"."pairs"', columns: ['a', 'b'] }),
  planned('strict_pairs', uniqueCombinationSql('"public"."strict_pairs"', ['a', 'b']), { kind: 'unique', subjectId: 'model.strict_pairs', subject: '"public"."strict_pairs"', columns: ['a', 'b'] }),
  // nullable columns (as in a table made by create table … as) that hold no null: the index proves it
  planned('full_pairs', uniqueCombinationSql('"public"."full_pairs"', ['a', 'b']), { kind: 'unique', subjectId: 'model.full_pairs', subject: '"public"."full_pairs"', columns: ['a', 'b'] }),
];

describe('data tests in one pass per model', () => {
  it('give each test the status, failure count and failing rows its own query gives', async () => {
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const results = await runTests(db.pool, build, TESTS, { slots: pLimit(2) });
    const alone = await Promise.all(TESTS.map((t) => runTest(db.pool, t)));
    const strip = (r: { id: string; status: string; failures: number }) => ({ id: r.id, status: r.status, failures: r.failures });
    expect(results.map(strip)).toEqual(alone.map((o) => strip(o.result)));
    expect(results.map(strip)).toEqual([
      { id: 'test.not_null_id', status: 'fail', failures: 1 },
      { id: 'test.not_null_status', status: 'pass', failures: 0 },
      { id: 'test.accepted_status', status: 'fail', failures: 1 },
      { id: 'test.amount_positive', status: 'fail', failures: 1 },
      { id: 'test.amount_positive_where', status: 'pass', failures: 0 },
      { id: 'test.child_has_parent', status: 'fail', failures: 3 },
      { id: 'test.broken', status: 'error', failures: 0 },
      { id: 'test.unique_keyed', status: 'pass', failures: 0 },
      { id: 'test.unique_child', status: 'fail', failures: 1 },
      { id: 'test.pairs', status: 'fail', failures: 1 },
      { id: 'test.strict_pairs', status: 'pass', failures: 0 },
      { id: 'test.full_pairs', status: 'pass', failures: 0 },
    ]);
    expect(results.find((r) => r.id === 'test.unique_keyed')?.message).toBe('proved by a unique index');
    expect(results.find((r) => r.id === 'test.strict_pairs')?.message).toBe('proved by a unique index');
    expect(results.find((r) => r.id === 'test.full_pairs')?.message).toBe('proved by a unique index');
    expect(results.find((r) => r.id === 'test.pairs')?.message).not.toBe('proved by a unique index');
    // scoped to the keys a build touched, it reads only those: no scan of every row for nulls
    const fullPairs = TESTS.find((t) => t.test.id === 'test.full_pairs')!;
    const next = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const [scopedPairs] = await runTests(db.pool, next, [{ ...fullPairs, scopedToKeys: ['a'] }], { slots: pLimit(1) });
    expect(scopedPairs).toMatchObject({ status: 'pass', message: 'checked the a values this build touched' });
    // failing rows are kept per test, as the test's own query returns them
    const kept = await db.pool.query<{ test_id: string; rows: unknown[] }>(
      `select test_id, json_agg(row_data order by ordinal) as rows from strata_meta.test_failures where build_id = $1 group by 1 order by 1`,
      [build],
    );
    const sample = (id: string) => kept.rows.find((r) => r.test_id === id)?.rows;
    expect(sample('test.accepted_status')).toEqual([{ value_field: 'zz', n_records: 2 }]);
    expect(sample('test.amount_positive')).toEqual([{ id: 3, status: 'zz', amount: -1 }]);
    expect(sample('test.not_null_id')).toEqual([{ id: null, status: 'b', amount: 2 }]);
    expect(sample('test.not_null_status')).toBeUndefined();
  });

  it('a test with its own query (relationships) runs it, and is not counted in the shared pass', async () => {
    // the pass would count no failing row for this condition and report a pass without the query
    const own = planned('own_query', relationshipsSql(C, 'id', '"public"."parent"', 'id'), { ...row('false'), ownQuery: true });
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const [result] = await runTests(db.pool, build, [own, TESTS[0]!], { slots: pLimit(1) });
    expect(result).toMatchObject({ id: 'test.own_query', status: 'fail', failures: 3 });
  });

  it('a unique index on the stored partition proves a unique test on a build view of it', async () => {
    await db.pool.query(`
      create table strata_store.audit_versions (id int, _strata_from bigint not null, _strata_to bigint);
      create unique index on strata_store.audit_versions (id) where _strata_to is null;
      insert into strata_store.audit_versions values (1, 1, 2), (1, 2, null), (2, 1, null);
      create table strata_store.audit_table (id int);
      create unique index on strata_store.audit_table (id);
      insert into strata_store.audit_table values (1), (2);
      create view public.v_current as select id from strata_store.audit_versions where _strata_to is null;
      create view public.v_added as select id from strata_store.audit_versions where _strata_to is null and _strata_from = 2;
      create view public.v_all as select id from strata_store.audit_versions;
      create view public.v_since as select id from strata_store.audit_versions where _strata_to is null or _strata_to > 1;
      create view public.v_table as select id from strata_store.audit_table;
      create view public.v_elsewhere as select id from public.keyed;`);
    const unique = (view: string) => planned(`unique_${view}`, uniqueSql(`"public"."${view}"`, 'id'), { kind: 'unique', subjectId: `model.${view}`, subject: `"public"."${view}"`, columns: ['id'] });
    const views = ['v_current', 'v_added', 'v_all', 'v_since', 'v_table', 'v_elsewhere'];
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const results = await runTests(db.pool, build, views.map(unique), { slots: pLimit(1) });
    expect(results.map((r) => ({ id: r.id, status: r.status, proved: r.message === 'proved by a unique index' }))).toEqual([
      { id: 'test.unique_v_current', status: 'pass', proved: true },
      { id: 'test.unique_v_added', status: 'pass', proved: true },
      // superseded versions share keys with current ones: the partial index proves nothing here
      { id: 'test.unique_v_all', status: 'fail', proved: false },
      { id: 'test.unique_v_since', status: 'fail', proved: false },
      { id: 'test.unique_v_table', status: 'pass', proved: true },
      // only views over a stored partition are looked through
      { id: 'test.unique_v_elsewhere', status: 'pass', proved: false },
    ]);
  });

  it('a NOT NULL column of a table proves its not_null test without a scan; other columns and views still run', async () => {
    await db.pool.query(`
      create table public.declared (id int not null, note text);
      insert into public.declared values (1, null), (2, 'b');
      create view public.declared_view as select * from public.declared;`);
    // the query and the pass's condition divide by zero on every row: a proved test never reads a row
    const notNull = (relation: string, column: string, failing: string, scoped = false): PlannedTest => {
      const t = planned(`not_null_${relation.replaceAll('"', '').replace('public.', '')}_${column}${scoped ? '_added' : ''}`, `select * from ${relation} where ${failing}`, {
        kind: 'row', subjectId: 'source.public.declared', subject: relation, failsWhen: failing,
      });
      return { ...t, test: { ...t.test, test: 'not_null', column }, ...(scoped ? { scopedToAdded: true as const } : {}) };
    };
    const D = '"public"."declared"';
    const V = '"public"."declared_view"';
    const tests = [
      notNull(D, 'id', '(1 / (id - id) is null)'),
      notNull(D, 'note', notNullFails('note')),
      notNull(V, 'id', '(1 / (id - id) is null)'),
      notNull(D, 'id', '(1 / (id - id) is null)', true),
    ];
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const results = await runTests(db.pool, build, tests, { slots: pLimit(2) });
    expect(results.map((r) => ({ status: r.status, failures: r.failures, proved: r.message === 'proved by a NOT NULL constraint' }))).toEqual([
      { status: 'pass', failures: 0, proved: true },
      // a nullable column holding a null: the test runs and finds it
      { status: 'fail', failures: 1, proved: false },
      // a view is not looked through, and a scoped test reads only its rows: both run their query
      { status: 'error', failures: 0, proved: false },
      { status: 'error', failures: 0, proved: false },
    ]);
  });

  it('a unique test that no index proves groups by sorting, in its own transaction; other tests are planned as usual', async () => {
    // each query reports the setting it ran under as its one failing row
    const setting = `select current_setting('enable_hashagg') as enable_hashagg`;
    const uniqueTest = planned('unique_sorted', setting, { kind: 'unique', subjectId: 'model.child', subject: C, columns: ['status'] });
    const singular = planned('singular', setting);
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    await runTests(db.pool, build, [uniqueTest, singular], { slots: pLimit(1) });
    const kept = await db.pool.query<{ test_id: string; rows: unknown[] }>(
      `select test_id, json_agg(row_data) as rows from strata_meta.test_failures where build_id = $1 group by 1 order by 1`,
      [build],
    );
    expect(kept.rows).toEqual([
      { test_id: 'test.singular', rows: [{ enable_hashagg: 'on' }] },
      { test_id: 'test.unique_sorted', rows: [{ enable_hashagg: 'off' }] },
    ]);
    // `set local`: the pool's sessions keep hashing for everything else
    const after = await Promise.all([1, 2, 3].map(() => db.pool.query<{ s: string }>(`select current_setting('enable_hashagg') as s`)));
    expect(after.map((r) => r.rows[0]!.s)).toEqual(['on', 'on', 'on']);
  });

  it('a test scoped to the rows a build added reads only them, in the pass and in its own query', async () => {
    // the plan gives a scoped test its subject's view of the added rows (plan/scoped-tests.ts)
    await db.pool.query(`create view public.child_added as select * from public.child where amount = -1 or id = 1`);
    const A = '"public"."child_added"';
    const rowA = (condition: string): TestCheck => ({ kind: 'row', subjectId: 'model.child', subject: A, failsWhen: failsWhen(condition, undefined) });
    const scopedTests: PlannedTest[] = [
      planned('not_null_id', notNullSql(A, 'id'), rowA(notNullFails('id'))),
      planned('accepted_status', acceptedValuesSql(A, 'status', ["'a'", "'b'"]), rowA(acceptedValuesFails('status', ["'a'", "'b'"]))),
      planned('amount_positive', expressionIsTrueSql(A, '> 0', 'amount'), rowA(expressionFails('> 0', 'amount'))),
    ].map((t) => ({ ...t, scopedToAdded: true as const }));
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    const results = await runTests(db.pool, build, scopedTests, { slots: pLimit(1) });
    expect(results.map((r) => ({ id: r.id, status: r.status, failures: r.failures, message: r.message }))).toEqual([
      // the null id (an older row) is not re-checked
      { id: 'test.not_null_id', status: 'pass', failures: 0, message: 'checked the rows this build added' },
      // one 'zz' row among the added ones (two in the whole table)
      { id: 'test.accepted_status', status: 'fail', failures: 1, message: '1 failing row (checked the rows this build added)' },
      { id: 'test.amount_positive', status: 'fail', failures: 1, message: '1 failing row (checked the rows this build added)' },
    ]);
    const kept = await db.pool.query<{ test_id: string; rows: unknown[] }>(
      `select test_id, json_agg(row_data order by ordinal) as rows from strata_meta.test_failures where build_id = $1 group by 1 order by 1`,
      [build],
    );
    expect(kept.rows).toEqual([
      { test_id: 'test.accepted_status', rows: [{ value_field: 'zz', n_records: 1 }] },
      { test_id: 'test.amount_positive', rows: [{ id: 3, status: 'zz', amount: -1 }] },
    ]);
  });
});

describe('recording results', () => {
  it('keeps failing rows and messages with quotes, backslashes, braces and commas as they were, and every result of a one-pass group', async () => {
    await db.pool.query(`create table public.awkward (t text, n int); insert into public.awkward values ('say "hi", {a\\b}', 1), (null, 2), ('ok', 3)`);
    const W = '"public"."awkward"';
    const rowW = (condition: string): TestCheck => ({ kind: 'row', subjectId: 'model.awkward', subject: W, failsWhen: failsWhen(condition, undefined) });
    const tests = [
      planned('awkward_accepted', acceptedValuesSql(W, 't', ["'ok'"]), rowW(acceptedValuesFails('t', ["'ok'"]))),
      planned('awkward_not_null', notNullSql(W, 't'), rowW(notNullFails('t'))),
      planned('awkward_positive', expressionIsTrueSql(W, '> 0', 'n'), rowW(expressionFails('> 0', 'n'))),
    ];
    const build = await startBuild(db.pool, { project: 'p', command: 'test', invokedBy: 'me', selected: [], vars: {}, fullRefresh: false });
    await runTests(db.pool, build, tests, { slots: pLimit(2) });
    const recorded = await db.pool.query<{ test_id: string; status: string; failures: string; rows: unknown[] | null }>(
      `select r.test_id, r.status, r.failures, (select json_agg(row_data order by ordinal) from strata_meta.test_failures f
                                                 where f.build_id = r.build_id and f.test_id = r.test_id) as rows
         from strata_meta.test_results r where r.build_id = $1 order by 1`,
      [build],
    );
    expect(recorded.rows).toEqual([
      { test_id: 'test.awkward_accepted', status: 'fail', failures: '1', rows: [{ value_field: 'say "hi", {a\\b}', n_records: 1 }] },
      { test_id: 'test.awkward_not_null', status: 'fail', failures: '1', rows: [{ t: null, n: 2 }] },
      { test_id: 'test.awkward_positive', status: 'pass', failures: '0', rows: null },
    ]);
  });
});
