import type pg from 'pg';
import { VALUE_END, VALUE_START, quoteLiteral } from '../core/sql.ts';

export { VALUE_END, VALUE_START };

/**
 * Replaces every marked scalar subquery in `sql` (between the VALUE_START and VALUE_END comments, on one line,
 * as macros/watermark.sql writes it) with its value, evaluated first in the same transaction,
 * as a typed literal (`'41'::bigint`). Why: a comparison with a sub-select is a parameter the
 * planner cannot see when it plans (`batch_id > $0`), so it guesses that a third of the table
 * matches and scans all of it; with the literal it reads the column's statistics and uses the
 * index (docs/benchmarks.md, "Reading a new batch"). Line breaks are kept, so error positions
 * still map to model lines. SQL without a marker is returned as it is, with no query; a marked
 * expression that appears several times is evaluated once; markers nested in one are resolved
 * first. A data test local to a key gets its touched key values the same way
 * (plan/scoped-keys.ts), so the planner can see how few they are.
 */
export async function resolveValues(db: pg.Pool | pg.PoolClient, sql: string, options: { readonly multiline?: boolean } = {}): Promise<string> {
  if (!sql.includes(VALUE_START)) return sql;
  const parts: string[] = [];
  const known = new Map<string, string>();
  let rest = sql;
  for (let at = rest.indexOf(VALUE_START); at >= 0; at = rest.indexOf(VALUE_START)) {
    // a marker a `--` comment mentions is not one: read as one, it ran to the next marker's end,
    // over a line break, and left every marker after it unresolved: a sub-select where a literal
    // was meant, planned as the marker exists to avoid, or, inside `= any (…)`, an error
    // (retail_line_counts, while it was written: "operator does not exist: bigint = bigint[]")
    const lineStart = rest.lastIndexOf('\n', at) + 1;
    if (rest.slice(lineStart, at).includes('--')) {
      parts.push(rest.slice(0, at + VALUE_START.length));
      rest = rest.slice(at + VALUE_START.length);
      continue;
    }
    const end = markerEnd(rest, at);
    if (end < 0) break;
    const marked = rest.slice(at + VALUE_START.length, end);
    // a model's line map counts lines: only SQL without one (a data test's) may span several. It
    // used to be left as it was, a sub-select the planner cannot see into: customer_clv_summary's
    // test for recomputing every customer ran so, unseen, because a template variable it held began
    // with a line break (session 12)
    if (marked.includes('\n') && options.multiline !== true) {
      throw atMarker(new Error(`a marked value (${VALUE_START} … ${VALUE_END}) spans several lines; write it on one line (a template variable in it may begin with a line break: \`| trim\` it)`), sql.length - rest.length + at);
    }
    let literal: string | undefined;
    try {
      // a marked value may hold others (a model's array of changed keys, read after its
      // watermark): those are written in first, so the planner of this one sees their literals
      const expression = marked.includes(VALUE_START) ? await resolveValues(db, marked, options) : marked;
      literal = known.get(expression);
      if (literal === undefined) {
        const found = await db.query<{ value: string | null; type: string }>(
          `select v::text as value, pg_typeof(v)::text as type from (select ${expression} as v) as strata_value`,
        );
        const row = found.rows[0]!;
        literal = row.value === null ? `null::${row.type}` : `${quoteLiteral(row.value)}::${row.type}`;
        known.set(expression, literal);
      }
    } catch (error) {
      throw atMarker(error, sql.length - rest.length + at);
    }
    parts.push(rest.slice(0, at), literal);
    rest = rest.slice(end + VALUE_END.length);
  }
  return parts.join('') + rest;
}

/**
 * A marked value's failure, placed at its marker: the server's position counts into the value's
 * own query, which no line map knows, so the error named line 1 of the model
 * (staged_row_counts.sql:1 for a marker on line 30). With the marker's position (1-based, as
 * PostgreSQL counts) in the statement it was written in, sql-error.ts names the marker's line.
 * The error itself is kept: its code, detail and hint, and it stays the cause.
 */
function atMarker(error: unknown, offset: number): unknown {
  if (typeof error === 'object' && error !== null) (error as { position?: string }).position = String(offset + 1);
  return error;
}

/** Where the marker opened at `at` ends: its own VALUE_END, past the markers nested in it; -1 if none. */
function markerEnd(sql: string, at: number): number {
  let depth = 0;
  let from = at + VALUE_START.length;
  for (;;) {
    const start = sql.indexOf(VALUE_START, from);
    const end = sql.indexOf(VALUE_END, from);
    if (end < 0) return -1;
    if (start >= 0 && start < end) {
      depth++;
      from = start + VALUE_START.length;
    } else if (depth === 0) {
      return end;
    } else {
      depth--;
      from = end + VALUE_END.length;
    }
  }
}
