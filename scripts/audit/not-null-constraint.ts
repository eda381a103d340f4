import type pg from 'pg';
import type { PlannedTest } from '../core/types.ts';
import { isScoped } from '../plan/scoped-tests.ts';
import { plainColumn } from './unique-index.ts';

/**
 * The `not_null` tests among `tests` that a NOT NULL constraint proves: the subject is a source
 * table whose column is declared `not null`, so no row can fail and the test passes without a
 * scan. The landing tables declare their batch and line columns so (migrations/). A model's or
 * seed's test reads a build view, and a view declares no constraint: those are not looked up, so
 * a node's tests cost no catalog query. A test scoped to what a build added reads a view of those
 * rows, and runs too: it reads only the new batch.
 *
 * One catalog query for all of them. The landing's two not_null tests were one full scan in a
 * first build's source tests, before any node starts: 0.36–0.47 s at 10 M lines (docs/benchmarks.md,
 * session 16).
 */
export async function provedByNotNull(pool: pg.Pool, tests: readonly PlannedTest[]): Promise<ReadonlySet<PlannedTest>> {
  const candidates = tests.flatMap((test) => {
    const column = test.test.column === undefined ? undefined : plainColumn(test.test.column);
    if (test.test.test !== 'not_null' || test.check?.kind !== 'row' || !test.check.subjectId.startsWith('source.')) return [];
    if (column === undefined || isScoped(test)) return [];
    return [{ test, subject: test.check.subject, column }];
  });
  if (candidates.length === 0) return new Set();
  const found = await pool.query<{ i: number }>(
    `select t.i::int as i
       from unnest($1::text[], $2::text[]) with ordinality as t(subject, col, i)
       join pg_class as c on c.oid = to_regclass(t.subject) and c.relkind in ('r', 'p')
       join pg_attribute as a on a.attrelid = c.oid and a.attname = t.col and a.attnotnull and not a.attisdropped`,
    [candidates.map((c) => c.subject), candidates.map((c) => c.column)],
  );
  return new Set(found.rows.map((row) => candidates[row.i - 1]!.test));
}
