import type pg from 'pg';
import { quoteLiteral } from '../core/sql.ts';

/** Marks a scalar subquery the runner evaluates before the statement (macros/watermark.sql). */
export const VALUE_START = '/*strata:value*/';
export const VALUE_END = '/*strata:end*/';

/**
 * Replaces every marked scalar subquery in `sql` (between the VALUE_START and VALUE_END comments, on one line,
 * as macros/watermark.sql writes it) with its value, evaluated first in the same transaction,
 * as a typed literal (`'41'::bigint`). Why: a comparison with a sub-select is a parameter the
 * planner cannot see when it plans (`batch_id > $0`), so it guesses that a third of the table
 * matches and scans all of it; with the literal it reads the column's statistics and uses the
 * index (docs/benchmarks.md, "Reading a new batch"). Line breaks are kept, so error positions
 * still map to model lines. SQL without a marker is returned as it is, with no query.
 */
export async function resolveValues(client: pg.PoolClient, sql: string): Promise<string> {
  if (!sql.includes(VALUE_START)) return sql;
  const parts: string[] = [];
  let rest = sql;
  for (let at = rest.indexOf(VALUE_START); at >= 0; at = rest.indexOf(VALUE_START)) {
    const end = rest.indexOf(VALUE_END, at);
    if (end < 0) break;
    const expression = rest.slice(at + VALUE_START.length, end);
    if (expression.includes('\n')) break;
    const found = await client.query<{ value: string | null; type: string }>(
      `select v::text as value, pg_typeof(v)::text as type from (select ${expression} as v) as strata_value`,
    );
    const row = found.rows[0]!;
    const literal = row.value === null ? `null::${row.type}` : `${quoteLiteral(row.value)}::${row.type}`;
    parts.push(rest.slice(0, at), literal);
    rest = rest.slice(end + VALUE_END.length);
  }
  return parts.join('') + rest;
}
