import { hostname } from 'node:os';
import pg from 'pg';

/**
 * A build's connections carry an application_name of their own: `strata build <host>:<pid>`. A
 * killed build's statements run on in the server until they finish (PostgreSQL notices the closed
 * connection only when it next writes to it); the next build, which holds the build lock and so
 * knows no other build runs, ends them by that name.
 */
const PREFIX = 'strata build ';

/** This process's build application_name (PostgreSQL keeps at most 63 bytes). */
export function buildApplicationName(): string {
  return `${PREFIX}${hostname()}:${process.pid}`.slice(0, 63);
}

/**
 * Ends the backends of abandoned builds on this database: every `strata build …` session that is
 * not ours. Call while holding the build lock. Returns how many were ended.
 */
export async function endAbandonedSessions(pool: pg.Pool, ours: string = buildApplicationName()): Promise<number> {
  const result = await pool.query<{ ended: boolean }>(
    `select pg_terminate_backend(pid) as ended
       from pg_stat_activity
      where datname = current_database() and application_name like $1 and application_name <> $2
        and pid <> pg_backend_pid()`,
    [`${PREFIX}%`, ours],
  );
  return result.rows.filter((r) => r.ended).length;
}

/**
 * Cancels the statements our own build connections are running (Ctrl-C), on a connection of its
 * own so that a full pool cannot hold it up. The build's transactions then roll back.
 */
export async function cancelOwnStatements(url: string, ours: string = buildApplicationName()): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'strata cancel' });
  client.on('error', () => {});
  await client.connect();
  try {
    const result = await client.query<{ cancelled: boolean }>(
      `select pg_cancel_backend(pid) as cancelled from pg_stat_activity
        where datname = current_database() and application_name = $1 and state = 'active' and pid <> pg_backend_pid()`,
      [ours],
    );
    return result.rows.filter((r) => r.cancelled).length;
  } finally {
    await client.end().catch(() => {});
  }
}
