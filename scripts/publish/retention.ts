import type pg from 'pg';
import { qualified, quoteIdent } from '../core/sql.ts';
import { distributedIn, hasCitus } from '../execute/distribute.ts';
import { referenceBuilds } from '../execute/materializations/store-reference.ts';
import { GEN, STORE_SCHEMA, TO } from '../execute/materializations/store-layout.ts';

/** What one retention pass removed. */
export interface RetentionResult {
  readonly schemas: readonly string[];
  readonly partitions: readonly string[];
  /** superseded row versions deleted from kept partitions */
  readonly compactedRows: number;
}

/**
 * Removes what no kept publication can show, without ever blocking a reader:
 * - build schemas (views only) of builds that are not kept: `drop schema` with a short
 *   lock_timeout (a killed build's leftover query is not waited for; a later build retries);
 * - partitions no kept publication points at: `detach partition … concurrently` (SHARE UPDATE
 *   EXCLUSIVE on the parent: readers neither wait nor are waited on for long; it waits for
 *   statements that may still see the partition, up to a statement timeout, after which the
 *   detach stays pending and is finalized by a later build), then `drop table`;
 * - row versions superseded at or before the oldest kept publication of their node (compaction);
 * - the recorded inputs (`strata_meta.node_inputs`) of partitions no kept publication shows, and
 *   of incremental and snapshot runs no kept publication shows the node's rows as of;
 * - on Citus, the rows of reference nodes' builds that are not kept (a DELETE: readers of the
 *   other builds' rows neither wait nor are waited on), and reference tables nothing reads.
 * Kept: the newest publication and the publications of the last `keep` published, not discarded,
 * builds (so `rollback` to them is instant), and the given build's own objects.
 */
export async function applyRetention(pool: pg.Pool, keep: number, currentBuildId: number, waitMs = 5000): Promise<RetentionResult> {
  const kept = await pool.query<{ publication_id: string; build_id: string }>(
    `with recent as (
       select p.build_id, max(p.publication_id) as last
         from strata_meta.publications p join strata_meta.builds b using (build_id)
        where not b.discarded group by p.build_id order by max(p.publication_id) desc limit $1
     )
     select publication_id, build_id from strata_meta.publications
      where publication_id in (select last from recent)
         or publication_id = (select max(publication_id) from strata_meta.publications)`,
    [Math.max(1, keep)],
  );
  const keptPublications = kept.rows.map((r) => Number(r.publication_id));
  const keptBuilds = [...new Set([...kept.rows.map((r) => Number(r.build_id)), currentBuildId])];

  const schemas = await dropBuildSchemas(pool, keptBuilds);
  const partitions = await dropPartitions(pool, keptPublications, waitMs);
  const compactedRows = await compact(pool, keptPublications);
  const references = await dropReferenceBuilds(pool, keptPublications);
  // what a dropped partition was computed from is of no more use (execute/keep-unchanged.ts); an
  // incremental model's or snapshot's record is that of the build a kept publication shows it as of (data_build)
  await pool.query(
    `delete from strata_meta.node_inputs i
      where i.build_id <> $2
        and not exists (select 1 from strata_meta.published_relations r
                         where r.publication_id = any($1::bigint[]) and r.node_id = i.node_id
                           and (r.gen = i.build_id or r.data_build = i.build_id))`,
    [keptPublications, currentBuildId],
  );
  return { schemas, partitions: [...partitions, ...references], compactedRows };
}

async function dropBuildSchemas(pool: pg.Pool, keptBuilds: readonly number[]): Promise<string[]> {
  const candidates = await pool.query<{ schema_name: string }>(
    `select s.schema_name
       from strata_meta.build_schemas s join strata_meta.builds b using (build_id)
      where s.dropped_at is null and b.status <> 'running' and not (s.build_id = any($1::bigint[]))
      order by s.schema_name`,
    [keptBuilds],
  );
  const dropped: string[] = [];
  const client = await pool.connect();
  try {
    for (const { schema_name } of candidates.rows) {
      await client.query('begin');
      try {
        // A killed build's query may still run on the server, holding its objects: do not wait
        // for it; the schema is dropped by a later build instead.
        await client.query(`set local lock_timeout = '500ms'`);
        // build schemas hold only views now (the rows are in strata_store)
        await client.query(`drop schema if exists ${quoteIdent(schema_name)} cascade`);
        await client.query('update strata_meta.build_schemas set dropped_at = now() where schema_name = $1', [schema_name]);
        await client.query('commit');
        dropped.push(schema_name);
      } catch (error) {
        await client.query('rollback');
        if ((error as { code?: string }).code !== '55P03') throw error;
      }
    }
  } finally {
    client.release();
  }
  return dropped;
}

async function dropPartitions(pool: pg.Pool, keptPublications: readonly number[], waitMs: number): Promise<string[]> {
  const candidates = await pool.query<{ parent: string; child: string; pending: boolean; held: boolean }>(
    `select parent.relname as parent, child.relname as child, i.inhdetachpending as pending,
            -- a transaction open for a while holds the parent (a reader in an open transaction):
            -- detaching would wait for it, so this partition waits for a later build instead
            exists (select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
                     where l.relation = parent.oid and l.granted and a.pid <> pg_backend_pid()
                       and a.xact_start < now() - interval '1 second') as held
       from pg_inherits i
       join pg_class parent on parent.oid = i.inhparent
       join pg_class child on child.oid = i.inhrelid
       join pg_namespace n on n.oid = child.relnamespace
      where n.nspname = $1
        and not exists (
          select 1 from strata_meta.published_relations r
           where r.publication_id = any($2::bigint[]) and r.kind = 'stored'
             and r.physical_schema = $1 and r.physical_name = child.relname)
        and not exists (
          select 1 from strata_meta.live l where l.physical_schema = $1 and l.physical_name = child.relname)
      order by i.inhdetachpending desc, child.relname`,
    [STORE_SCHEMA, keptPublications],
  );
  const dropped: string[] = [];
  // PostgreSQL lets a parent have one partition pending detach at a time ("already pending
  // detach"): while one is, the parent's other partitions wait for a later build. The pending ones
  // come first, so a build finalizes them before it starts another.
  const waiting = new Set<string>();
  const client = await pool.connect();
  try {
    await client.query(`set statement_timeout = ${Math.max(1, Math.round(waitMs))}`);
    await client.query(`set lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
    const distributed = await distributedIn(client, STORE_SCHEMA);
    for (const c of candidates.rows) {
      if (waiting.has(c.parent)) continue;
      if (c.held) {
        if (c.pending) waiting.add(c.parent);
        continue;
      }
      const parent = qualified({ schema: STORE_SCHEMA, name: c.parent });
      const child = qualified({ schema: STORE_SCHEMA, name: c.child });
      try {
        if (distributed.has(c.parent)) {
          // Citus: "ALTER TABLE .. DETACH PARTITION .. CONCURRENTLY commands are currently
          // unsupported". A plain detach takes ACCESS EXCLUSIVE on the parent, so it gets half a
          // second: a reader holding the parent makes it give up (55P03) and a later build
          // retries, so readers wait at most that long and a publish never waits on them.
          await client.query('begin');
          await client.query(`set local lock_timeout = '500ms'`);
          await client.query(`alter table ${parent} detach partition ${child}`);
          await client.query(`drop table ${child}`);
          await client.query('commit');
        } else {
          await client.query(`alter table ${parent} detach partition ${child} ${c.pending ? 'finalize' : 'concurrently'}`);
          await client.query(`drop table ${child}`);
        }
        dropped.push(c.child);
      } catch (error) {
        await client.query('rollback').catch(() => {});
        const code = (error as { code?: string }).code;
        // 57014: still seen by a long transaction (left pending, finalized next time); 55P03: lock
        // not granted in time; 2BP01: something still depends on it
        if (code !== '57014' && code !== '55P03' && code !== '2BP01') throw error;
        if (code === '57014') waiting.add(c.parent);
      }
    }
    // parents of column layouts no longer used: no partition left and no view reading them
    const empty = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind = 'p'
          and not exists (select 1 from pg_inherits i where i.inhparent = c.oid)
          and not exists (select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid where d.refobjid = c.oid)
        order by 1`,
      [STORE_SCHEMA],
    );
    for (const { name } of empty.rows) {
      try {
        await client.query(`drop table ${qualified({ schema: STORE_SCHEMA, name })}`);
        dropped.push(name);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== '57014' && code !== '55P03' && code !== '2BP01') throw error;
      }
    }
  } finally {
    await client.query('reset statement_timeout').catch(() => {});
    await client.query('reset lock_timeout').catch(() => {});
    client.release();
  }
  return dropped;
}

async function compact(pool: pg.Pool, keptPublications: readonly number[]): Promise<number> {
  const partitions = await pool.query<{ physical_name: string; oldest: string }>(
    `select physical_name, min(data_build) as oldest
       from strata_meta.published_relations
      where publication_id = any($1::bigint[]) and kind = 'stored' and physical_schema = $2
        and physical_name in (select physical_name from strata_meta.live where kind = 'stored')
        and exists (select 1 from pg_attribute a
                     where a.attrelid = to_regclass(format('%I.%I', physical_schema, physical_name)) and a.attname = $3)
      group by physical_name`,
    [keptPublications, STORE_SCHEMA, TO],
  );
  let removed = 0;
  for (const p of partitions.rows) {
    // invisible at every kept publication: superseded at or before the oldest one showing it
    const result = await pool.query(
      `delete from ${qualified({ schema: STORE_SCHEMA, name: p.physical_name })} where ${TO} is not null and ${TO} <= $1`,
      [Number(p.oldest)],
    );
    removed += result.rowCount ?? 0;
  }
  return removed;
}

/**
 * Reference nodes (execute/materializations/store-reference.ts) keep every build's rows in one
 * reference table: a build no kept publication points at loses its rows and its view; a reference
 * table that no view reads any more (an old column layout) is dropped. Returns the views and
 * tables removed. Nothing on plain PostgreSQL.
 */
async function dropReferenceBuilds(pool: pg.Pool, keptPublications: readonly number[]): Promise<string[]> {
  const client = await pool.connect();
  const dropped: string[] = [];
  try {
    if (!(await hasCitus(client))) return dropped;
    const kept = await client.query<{ name: string }>(
      `select physical_name as name from strata_meta.published_relations
        where publication_id = any($1::bigint[]) and kind = 'stored' and physical_schema = $2
       union select physical_name from strata_meta.live where kind = 'stored' and physical_schema = $2`,
      [keptPublications, STORE_SCHEMA],
    );
    const keep = new Set(kept.rows.map((r) => r.name));
    for (const b of await referenceBuilds(client)) {
      if (keep.has(b.view)) continue;
      await client.query('begin');
      try {
        // the coordinator holds a copy of the table: with local execution a later statement of
        // the transaction could not reach the workers' copies
        await client.query('set local citus.enable_local_execution = off');
        await client.query(`set local lock_timeout = '500ms'`);
        await client.query(`delete from ${qualified({ schema: STORE_SCHEMA, name: b.parent })} where ${GEN} = $1`, [b.buildId]);
        await client.query(`drop view ${qualified({ schema: STORE_SCHEMA, name: b.view })}`);
        await client.query('commit');
        dropped.push(b.view);
      } catch (error) {
        await client.query('rollback').catch(() => {});
        const code = (error as { code?: string }).code;
        if (code !== '55P03' && code !== '2BP01') throw error;
      }
    }
    const unread = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_dist_partition dp on dp.logicalrelid = c.oid and dp.partmethod = 'n'
        where n.nspname = $1 and c.relkind = 'r'
          and not exists (select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid where d.refobjid = c.oid)
        order by 1`,
      [STORE_SCHEMA],
    );
    for (const { name } of unread.rows) {
      await client.query(`drop table ${qualified({ schema: STORE_SCHEMA, name })}`);
      dropped.push(name);
    }
  } finally {
    client.release();
  }
  return dropped;
}
