import type pg from 'pg';
import { qualified } from '../core/sql.ts';
import type { Relation } from '../core/types.ts';

/** True when the connected server has the Citus extension in this database. */
export async function hasCitus(client: pg.PoolClient): Promise<boolean> {
  const found = await client.query(`select 1 from pg_extension where extname = 'citus'`);
  return (found.rowCount ?? 0) > 0;
}

/**
 * Hash-distributes `relation` by `column` on a Citus server (docs/scale-out.md); on plain
 * PostgreSQL, or when it is a Citus table already, nothing happens. It is co-located (Citus's
 * default) with every table distributed by a column of the same type, so joins and partition
 * attachments on that column stay on one worker. Rows already in a plain table are copied to
 * the shards and the coordinator's copy is truncated (Citus leaves it on disk otherwise).
 */
export async function distribute(client: pg.PoolClient, relation: Relation, column: string): Promise<void> {
  if (!(await hasCitus(client))) return;
  const name = qualified(relation);
  const known = await client.query(`select 1 from pg_dist_partition where logicalrelid = $1::regclass`, [name]);
  if ((known.rowCount ?? 0) > 0) return;
  const kind = await client.query<{ kind: string; rows: boolean }>(
    `select relkind as kind, exists (select 1 from ${name}) as rows from pg_class where oid = $1::regclass`,
    [name],
  );
  await client.query(`select create_distributed_table($1::regclass, $2)`, [name, column]);
  if (kind.rows[0]?.kind === 'r' && kind.rows[0].rows) await client.query(`select truncate_local_data_after_distributing_table($1::regclass)`, [name]);
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
