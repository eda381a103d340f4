import type pg from 'pg';
import { qualified } from '../core/sql.ts';
import { distributedIn } from '../execute/distribute.ts';

/** What a batch row records about one file or generator run. */
export interface BatchStart {
  readonly sourceFile: string;
  /** sha256 of the file bytes (or of a generator's parameters): the same input loads once */
  readonly sha256: string;
  readonly format: string;
}

export interface BatchCounts {
  readonly linesRead: number;
  readonly linesLoaded: number;
  readonly linesRejected: number;
}

/** The counts of a batch being landed, updated in place by the code that lands its rows, so a failed load can still say how far it got. */
export type Tally = { -readonly [K in keyof BatchCounts]: BatchCounts[K] };

/** A batch landed now (with what `land` returned), or the loaded batch that already held the input. */
export type Landed<T> =
  | { readonly batchId: number; readonly alreadyLoaded: false; readonly tally: BatchCounts; readonly value: T }
  | { readonly batchId: number; readonly alreadyLoaded: true };

/**
 * The one frame in which every loader and generator lands a batch: one transaction holds the
 * batch row and every row `land` writes (landed or quarantined), so a failed load leaves nothing
 * but a 'failed' batch row with the counts reached, recorded in a transaction of its own. When
 * another process loads the same input meanwhile, its batch is reported instead (the partial
 * unique index on file_sha256 decides). Callers check findLoadedBatch first, before any work of
 * their own; `describe` turns a failure into the error the user sees, naming the failed batch.
 */
export async function landBatch<T>(
  pool: pg.Pool,
  batch: BatchStart,
  land: (client: pg.PoolClient, batchId: number, tally: Tally) => Promise<T>,
  describe: (error: unknown, failedBatch: number | undefined) => Error,
): Promise<Landed<T>> {
  const tally: Tally = { linesRead: 0, linesLoaded: 0, linesRejected: 0 };
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const batchId = await startBatch(client, batch);
    const value = await land(client, batchId, tally);
    await finishBatch(client, batchId, tally);
    const distributed = await distributedIn(client, 'landing');
    const written = await landingTablesWritten(client, batchId, distributed);
    await client.query('commit');
    await analyseLanded(client, written, distributed);
    return { batchId, alreadyLoaded: false, tally, value };
  } catch (error) {
    await client.query('rollback').catch((e: Error) => (broken = e));
    if (isUniqueViolation(error)) {
      const other = await findLoadedBatch(pool, batch.sha256);
      if (other !== undefined) return { batchId: other, alreadyLoaded: true }; // loaded by someone else meanwhile
    }
    const failed = await recordFailedBatch(pool, batch, tally).catch(() => undefined);
    throw describe(error, failed);
  } finally {
    client.release(broken);
  }
}

/**
 * The landing tables (names in schema landing) this transaction inserted rows into: the
 * transaction's own statistics, and the `distributed` ones holding a row of the batch (on a Citus
 * coordinator their rows go to the shards, which those statistics do not count).
 */
async function landingTablesWritten(client: pg.PoolClient, batchId: number, distributed: ReadonlySet<string>): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `select relname as name from pg_stat_xact_user_tables where schemaname = 'landing' and n_tup_ins > 0 order by 1`,
  );
  const written = result.rows.map((r) => r.name);
  for (const name of distributed) {
    const holds = await client.query(`select 1 from ${landing(name)} where batch_id = $1 limit 1`, [batchId]);
    if (holds.rowCount && !written.includes(name)) written.push(name);
  }
  return written;
}

function landing(name: string): string {
  return qualified({ schema: 'landing', name });
}

/**
 * Prepares the tables a committed batch wrote for the builds that read it by batch:
 * - ANALYZE, so that the planner knows the new batch: builds write the last batch read in as a
 *   literal (`{{ watermark() }}`, the touched keys of scoped tests), and without statistics
 *   covering it a literal past the histogram is estimated at one row, which made the planner pick
 *   nested loops over the whole batch (docs/benchmarks.md). It samples a bounded number of rows.
 * - Summarises the new block ranges of their BRIN indexes on batch_id. PostgreSQL summarises a
 *   range only when VACUUM passes it, and a bitmap scan reads every unsummarised range: until
 *   autovacuum had been through a 10 M-line landing table (34 s, and it gives way to every
 *   build's lock), each look-up of the new batch read all of it, about 1 s each: the tests of a
 *   1% batch took 16.7 s of query time, against 7.1 s with the ranges summarised
 *   (docs/benchmarks.md, session 13).
 *   Only ranges not yet summarised are read: the new batch's blocks, so the cost grows with it.
 * The batch is committed by then: a failure here (a concurrent ANALYZE holding the lock) only
 * leaves the work to autovacuum, so it is not an error of the load.
 */
async function analyseLanded(client: pg.PoolClient, names: readonly string[], distributed: ReadonlySet<string>): Promise<void> {
  for (const name of names) {
    await client.query(`analyze ${landing(name)}`).catch(() => undefined);
    await summariseBrin(client, landing(name), distributed.has(name)).catch(() => undefined);
  }
}

/** The statement that summarises the new ranges of a table's BRIN indexes; `%s` names the table. */
export const SUMMARISE_BRIN_SQL = `select coalesce(sum(brin_summarize_new_values(i.indexrelid)), 0) as ranges
  from pg_index as i
  join pg_class as c on c.oid = i.indexrelid
  join pg_am as am on am.oid = c.relam
 where i.indrelid = '%s'::regclass and am.amname = 'brin'`;

/**
 * Summarises the new block ranges of `table`'s BRIN indexes; of a table Citus distributed, whose
 * rows (landing.order_lines, docs/scale-out.md) are in its shards, those of every shard.
 */
async function summariseBrin(client: pg.PoolClient, table: string, distributed: boolean): Promise<void> {
  if (distributed) {
    await client.query('select run_command_on_shards($1::regclass, $2)', [table, SUMMARISE_BRIN_SQL]);
  } else {
    await client.query(SUMMARISE_BRIN_SQL.replace('%s', table));
  }
}

/** " (recorded as failed batch 7)", or nothing when recording the failure failed too. */
export function failedBatchNote(failedBatch: number | undefined): string {
  return failedBatch === undefined ? '' : ` (recorded as failed batch ${failedBatch})`;
}

/** The batch that already holds this input, if one was loaded. */
export async function findLoadedBatch(db: pg.Pool | pg.PoolClient, sha256: string): Promise<number | undefined> {
  const found = await db.query<{ batch_id: string }>(
    `select batch_id from landing.load_batches where file_sha256 = $1 and status = 'loaded'`,
    [sha256],
  );
  return found.rows[0] ? Number(found.rows[0].batch_id) : undefined;
}

/** Opens a batch row ('running'); call inside the transaction that lands its rows. */
export async function startBatch(client: pg.PoolClient, batch: BatchStart): Promise<number> {
  const inserted = await client.query<{ batch_id: string }>(
    `insert into landing.load_batches (source_file, file_sha256, format) values ($1, $2, $3) returning batch_id`,
    [batch.sourceFile, batch.sha256, batch.format],
  );
  return Number(inserted.rows[0]!.batch_id);
}

/**
 * Marks the batch loaded. Fails with a unique violation (23505) when another process loaded the
 * same input meanwhile: the partial unique index on file_sha256 is the last word on "once".
 */
export async function finishBatch(client: pg.PoolClient, batchId: number, counts: BatchCounts): Promise<void> {
  await client.query(
    `update landing.load_batches
        set status = 'loaded', finished_at = clock_timestamp(),
            lines_read = $2, lines_loaded = $3, lines_rejected = $4
      where batch_id = $1`,
    [batchId, counts.linesRead, counts.linesLoaded, counts.linesRejected],
  );
}

/** Records a failed attempt, in its own transaction, after the load's own was rolled back. */
export async function recordFailedBatch(pool: pg.Pool, batch: BatchStart, counts: BatchCounts): Promise<number> {
  const inserted = await pool.query<{ batch_id: string }>(
    `insert into landing.load_batches
       (source_file, file_sha256, format, finished_at, lines_read, lines_loaded, lines_rejected, status)
     values ($1, $2, $3, clock_timestamp(), $4, 0, $5, 'failed')
     returning batch_id`,
    [batch.sourceFile, batch.sha256, batch.format, counts.linesRead, counts.linesRejected],
  );
  return Number(inserted.rows[0]!.batch_id);
}

/** True for PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}
