import type pg from 'pg';
import { qualified } from '../../core/sql.ts';
import type { PlannedNode, Relation } from '../../core/types.ts';
import { GEN, STORE_SCHEMA, buildViewSql, parentOf, partitionOf, type StoredColumn } from './store-layout.ts';
import { columnList } from './sql-parts.ts';

/** What `adoptReference` made: the relation the build's output is recorded as, and the public view's parent. */
export interface ReferenceOutput {
  /** `strata_store.<parent>__b<build>`: a view of the build's rows (what a partition is for other nodes) */
  readonly physical: Relation;
  /** the reference table holding every kept build's rows */
  readonly parent: Relation;
}

/**
 * Stores a table-shaped node configured `distributed_by: reference` on Citus (docs/scale-out.md).
 * Citus makes only hash-distributed tables partitioned ("distributing partitioned tables in only
 * supported for hash-distributed tables"), so a reference node is one unpartitioned reference
 * table per column layout, holding the rows of every kept build stamped with `_strata_gen`: the
 * build inserts its rows with its own id (rows of other builds, the published ones among them,
 * are not touched), the public view filters on the pointer's gen exactly as it does on a
 * partitioned parent, and retention deletes the rows of builds no longer kept
 * (publish/retention.ts). Each build also gets a view `<parent>__b<build>` of its own rows in
 * `strata_store`, recorded as the build's physical relation, so whatever reads a build's
 * partition (rollback, panels, retention) reads the same rows.
 *
 * Runs in the node's transaction. `citus.enable_local_execution` is off for it: the coordinator
 * holds a copy of every reference table, and ANALYZE after an INSERT into one in the same
 * transaction otherwise fails ("cannot execute command because a local execution has accessed a
 * placement in the transaction").
 */
export async function adoptReference(client: pg.PoolClient, p: PlannedNode, columns: readonly StoredColumn[]): Promise<ReferenceOutput> {
  await client.query('set local citus.enable_local_execution = off');
  const parent = parentOf(p.publicRelation, 'table', columns, 'reference');
  const physical = partitionOf(parent, p.buildId);
  const names = columns.map((c) => c.name);
  const n = String(p.buildId);
  const t = qualified(p.target);
  const exists = await client.query(`select to_regclass($1) is not null as found`, [qualified(parent)]);
  if (!exists.rows[0].found) {
    await client.query(`create table ${qualified(parent)} (like ${t})`);
    await client.query(`alter table ${qualified(parent)} add column ${GEN} bigint not null`);
    // a configured index holds within one build's rows: the build id leads it
    for (const ix of p.node.config.indexes) {
      await client.query(
        `create ${ix.unique ? 'unique ' : ''}index on ${qualified(parent)} using ${ix.type ?? 'btree'} (${GEN}, ${ix.columns.join(', ')})` +
          (ix.where === undefined ? '' : ` where ${ix.where}`),
      );
    }
    if (!p.node.config.indexes.some((ix) => (ix.type ?? 'btree') === 'btree')) await client.query(`create index on ${qualified(parent)} (${GEN})`);
    await client.query(`select create_reference_table($1::regclass)`, [qualified(parent)]);
  }
  await client.query(`insert into ${qualified(parent)} (${columnList(names)}, ${GEN}) select ${columnList(names)}, ${n} from ${t}`);
  await client.query(`analyze ${qualified(parent)}`);
  await client.query(`drop table ${t}`);
  await client.query(`create view ${qualified(physical)} as select ${columnList(names)}, ${GEN} from ${qualified(parent)} where ${GEN} = ${n}`);
  await client.query(buildViewSql(p.target, physical, names, 'table'));
  return { physical, parent };
}

/**
 * The builds stored in reference tables (adoptReference): each build's view in `strata_store`, its
 * reference table, and the build id (from the view's name, `<parent>__b<build>`). Citus only.
 */
export async function referenceBuilds(client: pg.PoolClient): Promise<readonly { view: string; parent: string; buildId: number }[]> {
  const found = await client.query<{ view: string; parent: string }>(
    `select v.relname as view, p.relname as parent
       from pg_class v
       join pg_namespace n on n.oid = v.relnamespace
       join pg_rewrite r on r.ev_class = v.oid
       join pg_depend d on d.objid = r.oid and d.refobjid <> v.oid
       join pg_class p on p.oid = d.refobjid and p.relkind = 'r'
       join pg_dist_partition dp on dp.logicalrelid = p.oid and dp.partmethod = 'n'
      where n.nspname = $1 and v.relkind = 'v' and v.relname like p.relname || '\\_\\_b%'
      group by v.relname, p.relname
      order by 1`,
    [STORE_SCHEMA],
  );
  return found.rows.map((r) => ({ ...r, buildId: Number(r.view.slice(r.parent.length + 3)) }));
}
