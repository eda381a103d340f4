import type pg from 'pg';

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
