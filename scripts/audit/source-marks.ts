import type pg from 'pg';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Manifest, SourceTable } from '../core/types.ts';

/**
 * Records, as a build starts (before any node reads a source), where it reads each source that
 * declares `changes:` from: for `appended_by`, the largest value of the column now (found after
 * the published build's mark, so the column's index reads only the new rows); for `transactions`,
 * the current snapshot. A later build takes every row after that mark as new (plan/scoped-keys.ts).
 * Rows committed while the build runs are after the mark too: counted as new again, never missed.
 */
export async function recordSourceMarks(pool: pg.Pool, buildId: number, manifest: Manifest, previous: Readonly<Record<string, string>> = {}): Promise<void> {
  for (const table of manifest.sources) {
    if (table.changes === undefined) continue;
    const id = `source.${table.source}.${table.name}`;
    const mark = await markOf(pool, table, previous[id]);
    await pool.query(`insert into strata_meta.source_marks (build_id, source_id, mark) values ($1, $2, $3)`, [buildId, id, mark]);
  }
}

async function markOf(pool: pg.Pool, table: SourceTable, previous: string | undefined): Promise<string | null> {
  if (table.changes?.kind === 'transactions') {
    const found = await pool.query<{ mark: string }>('select pg_current_snapshot()::text as mark');
    return found.rows[0]!.mark;
  }
  const column = quoteIdent(table.changes!.column);
  const relation = qualified({ schema: table.schema, name: table.identifier });
  // a literal bound, not a parameter: the planner then reads only the index ranges after it
  // '' is the mark of a table that was empty then (readSourceMarks): no bound
  const bound = previous === undefined || previous === '' ? undefined : previous;
  const after = bound === undefined ? '' : ` where ${column} > ${quoteLiteral(bound)}`;
  const found = await pool.query<{ mark: string | null }>(`select max(${column})::text as mark from ${relation}${after}`);
  return found.rows[0]?.mark ?? bound ?? null;
}

/** source id → mark, as recorded by `build`. */
export async function readSourceMarks(db: pg.Pool | pg.PoolClient, build: number): Promise<Record<string, string>> {
  const found = await db.query<{ source_id: string; mark: string | null }>(
    'select source_id, mark from strata_meta.source_marks where build_id = $1', [build]);
  return Object.fromEntries(found.rows.map((r) => [r.source_id, r.mark ?? '']));
}
