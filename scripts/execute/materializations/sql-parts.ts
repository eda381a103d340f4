import { CompileError } from '../../core/errors.ts';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { PlannedNode, Relation } from '../../core/types.ts';
import type { SqlStep, Step } from './step.ts';

/** A plain statement. */
export function stmt(label: string, sql: string, countsRows = false): SqlStep {
  return { kind: 'sql', label, sql, ...(countsRows ? { countsRows } : {}) };
}

/** A statement wrapping the model's SQL: `prefix` + body + `suffix`, remembering where the body starts. */
export function wrap(label: string, prefix: string, body: string, suffix = '', countsRows = false): SqlStep {
  return { kind: 'sql', label, sql: `${prefix}${body}${suffix}`, bodyOffset: prefix.length, ...(countsRows ? { countsRows } : {}) };
}

/** The model's resolved SQL without a trailing `;` (it is wrapped in other statements). */
export function modelSql(p: PlannedNode): string {
  if (p.sql === undefined) throw new CompileError(p.node.id, undefined, 'has no compiled SQL to materialize');
  return p.sql.replace(/[\s;]+$/, '');
}

/**
 * `create [unique] index on T using <type> (cols) [where …]` per configured index. Columns are written
 * as configured, not quoted (as dbt does), so an expression such as `lower(email)` works.
 */
export function indexSteps(p: PlannedNode): readonly SqlStep[] {
  return p.node.config.indexes.map((ix) =>
    stmt(
      `create index (${ix.columns.join(', ')})`,
      `create ${ix.unique ? 'unique ' : ''}index on ${qualified(p.target)} using ${ix.type ?? 'btree'} (${ix.columns.join(', ')})` +
        (ix.where === undefined ? '' : ` where ${ix.where}`),
    ),
  );
}

export function analyzeStep(p: PlannedNode): SqlStep {
  return stmt('analyze', `analyze ${qualified(p.target)}`);
}

/**
 * The table holding this build's new rows: the session's temporary table, or, for a node with
 * `distributed_by`, a table in the build's schema that Citus distributes by the same column
 * (co-located with the published partition). Citus joins a coordinator-local temporary table to a
 * distributed one only in some statements ("direct joins between distributed and local tables are
 * not supported" for the NOT EXISTS of merge and snapshots); co-located staging keeps every
 * statement on the workers, each shard against its own rows. On plain PostgreSQL it is an
 * ordinary table, dropped at the end of the node's transaction like the temporary one.
 */
export function tempRelation(p: PlannedNode): Relation {
  // identifiers are cut at 63 bytes by PostgreSQL; cutting here keeps every mention identical
  const name = `__strata_new_${p.node.name}`.slice(0, 63);
  return p.node.config.distributedBy === undefined ? { schema: 'pg_temp', name } : { schema: p.target.schema, name };
}

export function createTemp(p: PlannedNode): readonly Step[] {
  const t = tempRelation(p);
  if (p.node.config.distributedBy === undefined) return [wrap('stage new rows', `create temp table ${qualified(t)} as\n`, modelSql(p))];
  return [createDistributed(p, 'stage new rows', t)];
}

/**
 * `create table t as <the model>` for a node with `distributed_by`. On Citus the table is created
 * empty, distributed (co-located by name with the published partition, which its rows are joined
 * to or attached beside) and then filled, so that Citus writes the rows straight into the shards
 * instead of copying a coordinator-local table once more. On plain PostgreSQL it is the one
 * statement: PostgreSQL runs the query of a `create table … as` with parallel workers where it
 * pays, and never that of an `insert … select` (staging's sort of 9.9 M lines ran in one process,
 * 93 s of a 10 M full build; docs/benchmarks.md). The rows are the same either way.
 */
export function createDistributed(p: PlannedNode, label: string, t: Relation, countsRows = false): Step {
  const column = p.node.config.distributedBy!;
  const create = (sql: string, tail = ''): SqlStep => wrap(label, sql, modelSql(p), tail, countsRows);
  return {
    kind: 'by-engine',
    label,
    plain: [create(`create table ${qualified(t)} as\n`)],
    citus: [
      wrap(label, `create table ${qualified(t)} as\n`, modelSql(p), '\nwith no data'),
      { kind: 'distribute', label: `distribute by ${column}`, of: t, column, ...(p.previous ? { colocateWith: p.previous.partition } : {}) },
      create(`insert into ${qualified(t)}\n`),
    ],
  };
}

export function dropTemp(p: PlannedNode): SqlStep {
  return stmt('drop staged rows', `drop table ${qualified(tempRelation(p))}`);
}

/** `"a", "b"` or `s."a", s."b"` */
export function columnList(columns: readonly string[], alias?: string): string {
  return columns.map((c) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c))).join(', ');
}

/** `t."k1" = s."k1" and t."k2" = s."k2"` */
export function keyMatch(keys: readonly string[], left: string, right: string): string {
  return keys.map((k) => `${left}.${quoteIdent(k)} = ${right}.${quoteIdent(k)}`).join(' and ');
}

/** The configured unique key, or a CompileError naming what needs it. */
export function requireKey(p: PlannedNode, why: string): readonly string[] {
  const keys = p.node.config.uniqueKey ?? [];
  if (keys.length === 0) throw new CompileError(p.node.id, undefined, `${why} needs a unique_key`);
  return keys;
}
