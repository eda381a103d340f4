/**
 * Quoting for SQL text strata writes itself (DDL, grants, view swaps, generated tests). Values
 * from users go in as query parameters instead wherever PostgreSQL allows one.
 */
import type { Relation } from './types.ts';

/** `"schema"."name"`, quoted for SQL. */
export function qualified(relation: Relation): string {
  return `${quoteIdent(relation.schema)}.${quoteIdent(relation.name)}`;
}

/** An identifier, double-quoted: `order` → `"order"`, `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, single-quoted: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A condition, true when the relations `now` and `was` (qualified) hold different rows as
 * multisets. Compared as row text, so that a changed column layout is a difference, not an error,
 * and a column type without equality (json) can be compared: equal text is equal values, and a
 * value written two ways (1.0 and 1.00) only counts as a change. Text, not jsonb: 0.19 s against
 * 1.16 s for the airline's 16,737 members. Equal counts and none of the new rows missing from the
 * old ones is equal multisets: one `except all`, not two (0.08 s against 0.16 s).
 */
export function rowsDiffer(now: string, was: string): string {
  return (
    `((select count(*) from ${now}) <> (select count(*) from ${was})` +
    ` or exists (select n::text from ${now} as n except all select o::text from ${was} as o))`
  );
}

/**
 * Mark a scalar sub-select the runner evaluates just before the statement and writes in as a
 * literal, so the planner sees the value (execute/resolve-values.ts; macros/watermark.sql).
 */
export const VALUE_START = '/*strata:value*/';
export const VALUE_END = '/*strata:end*/';
