import type pg from 'pg';
import { buildApplicationName } from '../db/build-sessions.ts';

/** What waiting for earlier statements came to. */
export interface EarlierStatements {
  /** how long it waited */
  readonly waitedMs: number;
  /** statements still running when the wait gave up (0: every earlier statement had ended) */
  readonly stillRunning: number;
}

/**
 * Waits, at most `maxMs`, until every statement that other sessions of this database were running
 * when it was called has ended (idle sessions, even in an open transaction, are not waited for).
 * Called just before a build publishes.
 *
 * Why: PostgreSQL plans a statement with the partitions attached when it plans it, and takes the
 * snapshot the statement runs with just after (exec_simple_query in postgres.c pops the planning
 * snapshot and PortalStart takes a new one). A reader that planned a statement before this build
 * attached a node's new partition, and took its snapshot after the publish, read the new pointer
 * against a plan without that partition: the node's view showed no rows. Seen once, under load in
 * CI: a reader of tests/integration/storage.test.ts read gold.totals empty between two builds.
 * Every build attaches its partitions before it publishes, so once the statements running then
 * have ended, every statement that can see the new pointer planned with the new partitions.
 *
 * Bounded so that a publish never waits long for a reader: a BI statement that runs for minutes
 * delays the publish by `maxMs` at most, and its own snapshot (taken long before) shows it the
 * old build, whole; only a statement held between its planning and its first snapshot for longer
 * than that could still see the empty view.
 */
export async function awaitEarlierStatements(pool: pg.Pool, maxMs = 2000, pollMs = 10): Promise<EarlierStatements> {
  const started = performance.now();
  const since = (await pool.query<{ t: string }>('select clock_timestamp()::text as t')).rows[0]!.t;
  for (;;) {
    const running = await pool.query<{ n: number }>(
      `select count(*)::int as n
         from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and state = 'active'
          and pid <> pg_backend_pid() and application_name <> $2
          and query_start < $1::timestamptz`,
      [since, buildApplicationName()],
    );
    const stillRunning = running.rows[0]!.n;
    const waitedMs = performance.now() - started;
    if (stillRunning === 0 || waitedMs >= maxMs) return { waitedMs, stillRunning };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
