import type pg from 'pg';
import { StrataError } from '../../core/errors.ts';
import { distribute, hasCitus } from '../distribute.ts';
import { adoptReference } from './store-reference.ts';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { PlannedNode, Relation } from '../../core/types.ts';
import {
  FROM, GEN, STORE_SCHEMA, TO, buildViewSql, modelColumns, parentOf, partitionOf, publicViewSql, type StoreShape, type StoredColumn,
} from './store-layout.ts';

/** Incremental models and snapshots keep row versions; everything else stored is a whole partition per build. */
export function shapeOf(p: PlannedNode): StoreShape {
  const m = p.node.config.materialized;
  return m === 'incremental' || m === 'snapshot' ? 'versioned' : 'table';
}

/**
 * The last step of every node, in the node's own transaction: puts what the build wrote where
 * publishing can point at it, and records it in `strata_meta.build_outputs`.
 * - a view model: nothing moves; its public view will be its SQL over the public views;
 * - an incremental or snapshot build that added row versions: they are already in the published
 *   partition, invisible until the pointer moves;
 * - any other table (table, seed, TypeScript model, first or full-refresh incremental build):
 *   the table becomes a new partition of the node's parent in `strata_store`, and the build's
 *   schema gets a view of it under the node's name. Attaching takes SHARE UPDATE EXCLUSIVE on the
 *   parent, which readers (ACCESS SHARE) neither wait for nor block.
 */
export async function storeOutput(client: pg.PoolClient, p: PlannedNode, later?: LaterIndexes): Promise<void> {
  const m = p.node.config.materialized;
  if (m === 'ephemeral') return;
  if (m === 'view' && p.node.language === 'sql') {
    if (p.publicSql === undefined) throw new StrataError(`${p.node.id}: a view without public SQL cannot be published`);
    await record(client, p, { kind: 'view', viewSql: p.publicSql, physical: p.target, gen: null });
    return;
  }
  if (p.isIncremental && p.previous) {
    const partition = p.previous.partition;
    const parent = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name
         from pg_inherits i join pg_class c on c.oid = i.inhparent join pg_namespace n on n.oid = c.relnamespace
        where i.inhrelid = $1::regclass`,
      [qualified(partition)],
    );
    const of = parent.rows[0];
    if (!of) throw new StrataError(`${p.node.id}: its published rows ${qualified(partition)} are not a partition of strata_store`);
    const columns = modelColumns((await storedColumns(client, partition)).map((c) => c.name));
    await record(client, p, { kind: 'stored', viewSql: publicViewSql(p.node.id, of, columns, 'versioned'), physical: partition, gen: p.previous.gen });
    return;
  }
  await adopt(client, p, later);
}

/**
 * Takes the index builds of a new versioned partition that nothing in this build reads
 * (execute/deferred-indexes.ts runs them after the node commits); without it they are built in
 * the node's transaction.
 */
export type LaterIndexes = (statements: readonly string[]) => void;

async function adopt(client: pg.PoolClient, p: PlannedNode, later?: LaterIndexes): Promise<void> {
  const shape = shapeOf(p);
  const columns = await storedColumns(client, p.target);
  if (p.node.config.reference && (await hasCitus(client))) {
    const { physical, parent } = await adoptReference(client, p, columns);
    const names = columns.map((c) => c.name);
    await record(client, p, { kind: 'stored', viewSql: publicViewSql(p.node.id, parent, names, 'table'), physical, gen: p.buildId });
    return;
  }
  const parent = parentOf(p.publicRelation, shape, columns, p.node.config.distributedBy);
  const partition = partitionOf(parent, p.buildId);
  const t = qualified(p.target);
  const n = String(p.buildId);
  const added = [`add column ${GEN} bigint not null default ${n}`];
  if (shape === 'versioned') added.push(`add column ${FROM} bigint not null default ${n}`, `add column ${TO} bigint`);
  await client.query(`alter table ${t} ${added.join(', ')}`);
  const defaults = [`alter column ${GEN} drop default`];
  if (shape === 'versioned') defaults.push(`alter column ${FROM} drop default`);
  await client.query(`alter table ${t} ${defaults.join(', ')}`);
  // the model's own columns were analysed when the table was written, before these existed; the
  // views filter on them (`_strata_to is null`), and without their statistics the planner takes
  // every current-rows filter as 0.5% of the table: on Online Retail it then hashed all 531,262
  // earlier lines to check 5,419 new ones, and scanned the whole table in nested loops
  await client.query(`analyze ${t} (${shape === 'versioned' ? [GEN, FROM, TO].join(', ') : GEN})`);
  // index names are per schema: the build's indexes get names of their own before they move
  const indexes = await client.query<{ name: string }>(
    `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = $1::regclass order by c.relname`,
    [t],
  );
  for (const [i, ix] of indexes.rows.entries()) {
    const name = `${p.publicRelation.schema}_${p.publicRelation.name}`.slice(0, 40) + `_b${n}_${i + 1}`;
    await client.query(`alter index ${qualified({ schema: p.target.schema, name: ix.name })} rename to ${quoteIdent(name)}`);
  }
  await client.query(`alter table ${t} rename to ${quoteIdent(partition.name)}`);
  await client.query(`alter table ${qualified({ schema: p.target.schema, name: partition.name })} set schema ${quoteIdent(STORE_SCHEMA)}`);
  const column = p.node.config.distributedBy;
  // on Citus a distributed node's partitions and parent are distributed by the same column (so
  // co-located) before attaching: Citus attaches only co-located distributed partitions
  if (column !== undefined) await distribute(client, partition, column);
  await client.query(`create table if not exists ${qualified(parent)} (like ${qualified(partition)}) partition by list (${GEN})`);
  // a new parent follows its first partition's co-location (an existing one is left as it is)
  if (column !== undefined) await distribute(client, parent, column, partition);
  await client.query(`alter table ${qualified(parent)} attach partition ${qualified(partition)} for values in (${n})`);
  if (shape === 'versioned') {
    // the look-ups an incremental build makes: its own leftovers, superseded rows, current keys.
    // Every row of a new partition was written by this build (`_strata_from = n`), and the
    // look-ups by `_strata_from` are of later builds' rows (`= N`, `> published`, N > n; the
    // planner proves from the literals that the index covers them). Partial, the index starts
    // empty: no sort of every row of the partition, and a whole read through the public view
    // (`_strata_from <= data_build`) cannot choose it. Over every row it was an index scan of
    // the whole partition, slower than the sequential scan (Online Retail: 222 against 137 ms).
    const lookups = [
      `create index on ${qualified(partition)} (${FROM}) where ${FROM} > ${n}`,
      `create index on ${qualified(partition)} (${TO}) where ${TO} is not null`,
    ];
    // configured indexes cover the current versions: a unique key is unique among current rows;
    // a partial index (`where`) keeps its own condition too (e.g. first occurrences of a key)
    const keys = p.node.config.uniqueKey ?? [];
    const nullsEqual = keys.length > 1 && (await serverVersion(client)) >= 150000;
    const unique: string[] = [];
    for (const ix of p.node.config.indexes) {
      const where = ix.where === undefined ? `${TO} is null` : `(${ix.where}) and ${TO} is null`;
      // The index of a unique key of several columns treats nulls as equal (PostgreSQL 15+), as
      // `unique_combination_of_columns` does: it then proves that test alone, where an index
      // letting (1, null) repeat needed a scan for nulls first (audit/unique-index.ts; 0.28 s on
      // Online Retail's staging, 7.3 s at 10 M lines). A key with a null cannot be replaced by
      // delete+insert or merge (null = null is not true), so a second such row now fails the node,
      // naming the key, instead of staying beside the first.
      const nulls = ix.unique && nullsEqual && sameColumns(ix.columns, keys) ? ' nulls not distinct' : '';
      (ix.unique ? unique : lookups).push(
        `create ${ix.unique ? 'unique ' : ''}index on ${qualified(partition)} using ${ix.type ?? 'btree'} (${ix.columns.join(', ')})${nulls} where ${where}`,
      );
    }
    if (keys.length > 0 && !p.node.config.indexes.some((ix) => ix.columns[0] === keys[0])) {
      lookups.push(`create index on ${qualified(partition)} (${keys.map(quoteIdent).join(', ')}) where ${TO} is null`);
    }
    // a unique index is built here: it checks the rows (a duplicate key fails the node, before
    // anything reads it) and proves `unique` tests without a scan (audit/unique-index.ts). The
    // others only serve the next build's look-ups, so they may be built after the node commits.
    for (const sql of unique) await client.query(sql);
    if (later) later(lookups);
    else for (const sql of lookups) await client.query(sql);
  }
  const names = columns.map((c) => c.name);
  await client.query(buildViewSql(p.target, partition, names, shape));
  await record(client, p, { kind: 'stored', viewSql: publicViewSql(p.node.id, parent, names, shape), physical: partition, gen: p.buildId });
}

/**
 * A node this build keeps (execute/keep-unchanged.ts): its build view reads the published
 * partition, so the nodes and tests after it read the kept rows. Nothing is recorded in
 * `build_outputs`: its pointer does not move when the build publishes.
 */
export async function keepPublished(db: pg.Pool, p: PlannedNode, partition: Relation, options: { replacing?: boolean } = {}): Promise<void> {
  const columns = modelColumns((await storedColumns(db, partition)).map((c) => c.name));
  if (!options.replacing) {
    await db.query(buildViewSql(p.target, partition, columns, 'table'));
    return;
  }
  // written and found equal: the build view and the output record give way to the kept partition
  // (the partition written stays unpublished; retention drops it)
  const client = await db.connect();
  try {
    await inTransaction(client, async () => {
      await client.query(`drop view ${qualified(p.target)}`);
      await client.query(buildViewSql(p.target, partition, columns, 'table'));
      await client.query('delete from strata_meta.build_outputs where build_id = $1 and node_id = $2', [p.buildId, p.node.id]);
    });
  } finally {
    client.release();
  }
}

/** PostgreSQL's version as a number: 150004 for 15.4. */
async function serverVersion(client: pg.PoolClient): Promise<number> {
  const found = await client.query<{ v: number }>(`select current_setting('server_version_num')::int as v`);
  return found.rows[0]?.v ?? 0;
}

/** The same columns in any order (configured index columns are written as configured, unquoted). */
function sameColumns(columns: readonly string[], keys: readonly string[]): boolean {
  return columns.length === keys.length && [...columns].sort().join('\0') === [...keys].sort().join('\0');
}

async function storedColumns(client: pg.Pool | pg.PoolClient, relation: Relation): Promise<readonly StoredColumn[]> {
  const found = await client.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type
       from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [qualified(relation)],
  );
  return found.rows;
}

interface Output {
  readonly kind: 'stored' | 'view';
  readonly viewSql: string;
  readonly physical: Relation;
  readonly gen: number | null;
}

async function record(client: pg.PoolClient, p: PlannedNode, out: Output): Promise<void> {
  await client.query(
    `insert into strata_meta.build_outputs
       (build_id, node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [p.buildId, p.node.id, out.kind, p.publicRelation.schema, p.publicRelation.name, out.viewSql,
      out.physical.schema, out.physical.name, out.gen, out.gen === null ? null : p.buildId],
  );
}

/** `storeOutput` in a transaction of its own, for nodes written outside one (seeds, TypeScript models). */
export async function storeOutputOf(client: pg.PoolClient, p: PlannedNode): Promise<void> {
  await inTransaction(client, () => storeOutput(client, p));
}

/** `work` in a transaction of its own on `client`: committed when it returns, rolled back when it throws. */
async function inTransaction(client: pg.PoolClient, work: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await work();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}
