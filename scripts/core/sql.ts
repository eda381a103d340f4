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
 * Mark a scalar sub-select the runner evaluates just before the statement and writes in as a
 * literal, so the planner sees the value (execute/resolve-values.ts; macros/watermark.sql).
 */
export const VALUE_START = '/*strata:value*/';
export const VALUE_END = '/*strata:end*/';
