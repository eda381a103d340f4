import type pg from 'pg';
import { BuildLockedError } from '../core/errors.ts';

// One number for "a strata build runs on this database": pg_advisory locks are per database.
const BUILD_LOCK_KEY = 7_318_201_154;

export interface BuildLock {
  release(): Promise<void>;
}

/**
 * Takes the per-database build lock on a dedicated connection, held until release (or until the
 * process dies, when the server drops it). A second build is told who holds it and since when.
 */
export async function acquireBuildLock(pool: pg.Pool): Promise<BuildLock> {
  const client = await pool.connect();
  const got = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [BUILD_LOCK_KEY]);
  if (!got.rows[0]?.ok) {
    const holder = await client.query<{ pid: number; usename: string; application_name: string; client_addr: string | null; backend_start: Date }>(
      `select a.pid, a.usename, a.application_name, a.client_addr::text, a.backend_start
         from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted
          and ((l.classid::bigint << 32) | l.objid::bigint) = $1
        limit 1`,
      [BUILD_LOCK_KEY],
    );
    client.release();
    const h = holder.rows[0];
    const who = h
      ? `${h.usename} (pid ${h.pid}, ${h.application_name || 'unknown app'}${h.client_addr ? ` from ${h.client_addr}` : ''}, connected since ${h.backend_start.toISOString()})`
      : 'another session';
    throw new BuildLockedError(`another strata build is running on this database, held by ${who}; wait for it to finish`);
  }
  return {
    release: async () => {
      await client.query('select pg_advisory_unlock($1)', [BUILD_LOCK_KEY]).catch(() => {});
      client.release();
    },
  };
}

/**
 * Inside a transaction: waits until no build runs, and keeps builds from starting until the
 * transaction ends. For changes a build must see whole or not at all (a batch's retraction).
 */
export async function holdOffBuilds(client: pg.PoolClient): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1)', [BUILD_LOCK_KEY]);
}
