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
