import type pg from 'pg';
import { qualified } from '../core/sql.ts';
import type { Relation } from '../core/types.ts';

/** True when the connected server has the Citus extension in this database. */
export async function hasCitus(client: pg.Pool | pg.PoolClient): Promise<boolean> {
  const found = await client.query(`select 1 from pg_extension where extname = 'citus'`);
  return (found.rowCount ?? 0) > 0;
}

/**
 * Hash-distributes `relation` by `column` on a Citus server (docs/scale-out.md); on plain
 * PostgreSQL, or when it is a Citus table already, nothing happens. It is co-located with
 * `colocateWith` when that is a distributed table, else (Citus's default) with every table
 * distributed by a column of the same type and the current `citus.shard_count`, so joins and
 * partition attachments on that column stay on one worker. Naming the table to join matters when
 * the shard count was changed since it was distributed: the default would then put the new table
 * in a new group, and Citus refuses the join ("… are not colocated"). Rows already in a plain
 * table are copied to the shards and the coordinator's copy is truncated (Citus leaves it on disk
 * otherwise).
 */
export async function distribute(
  client: pg.PoolClient,
  relation: Relation,
  column: string,
  colocateWith?: Relation,
  /** told the co-location chosen (a table's name, or 'default') before create_distributed_table runs */
  chosen: (colocateWith: string) => void = () => {},
): Promise<void> {
  if (!(await hasCitus(client))) return;
  const name = qualified(relation);
  const known = await client.query(`select 1 from pg_dist_partition where logicalrelid = $1::regclass`, [name]);
  if ((known.rowCount ?? 0) > 0) return;
  const kind = await client.query<{ kind: string; rows: boolean }>(
    `select relkind as kind, exists (select 1 from ${name}) as rows from pg_class where oid = $1::regclass`,
    [name],
  );
  const partner = colocateWith === undefined ? undefined : qualified(colocateWith);
  const colocated = partner !== undefined && (await sameDistributionType(client, name, column, partner));
  // 'default': Citus's own choice, as create_distributed_table without the argument
  const colocation = colocated ? partner : 'default';
  chosen(colocation);
  await client.query(`select create_distributed_table($1::regclass, $2, colocate_with => $3)`, [name, column, colocation]);
  if (kind.rows[0]?.kind === 'r' && kind.rows[0].rows) await client.query(`select truncate_local_data_after_distributing_table($1::regclass)`, [name]);
}

/**
 * True when `partner` is a hash-distributed table whose distribution column has the type and
 * collation of `relation`'s `column`: what Citus needs to co-locate the two. (A node whose `distributed_by`
 * changed is distributed anew, by Citus's default.)
 */
async function sameDistributionType(client: pg.PoolClient, relation: string, column: string, partner: string): Promise<boolean> {
  const found = await client.query(
    `select 1
       from pg_dist_partition d
       join pg_attribute theirs on theirs.attrelid = d.logicalrelid and theirs.attname = column_to_column_name(d.logicalrelid, d.partkey)
       join pg_attribute ours on ours.attrelid = $2::regclass and ours.attname = $3
      where d.logicalrelid = to_regclass($1) and d.partmethod = 'h'
        and ours.atttypid = theirs.atttypid and ours.attcollation = theirs.attcollation`,
    [partner, relation, column],
  );
  return (found.rowCount ?? 0) > 0;
}

/** Names of the Citus-distributed tables in `schema` (none on plain PostgreSQL). */
export async function distributedIn(client: pg.PoolClient, schema: string): Promise<ReadonlySet<string>> {
  if (!(await hasCitus(client))) return new Set();
  const found = await client.query<{ name: string }>(
    `select c.relname as name from pg_dist_partition d join pg_class c on c.oid = d.logicalrelid
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1`,
    [schema],
  );
  return new Set(found.rows.map((r) => r.name));
}
