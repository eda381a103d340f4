import type pg from 'pg';
import { UsageError } from '../core/errors.ts';
import { holdOffBuilds } from '../execute/build-lock.ts';

/** One batch as `npm run load -- --list` shows it. */
export interface BatchListing {
  readonly batchId: number;
  readonly sourceFile: string;
  readonly format: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly lines: number;
  readonly quarantined: number;
  readonly retractedAt: Date | null;
  readonly retractedBy: string | null;
  readonly retractedWhy: string | null;
  /** the published build that removed a retracted batch's lines; null while pending */
  readonly appliedInBuild: number | null;
}

/** Every batch, oldest first, with its status, line counts and any retraction. */
export async function listBatches(pool: pg.Pool): Promise<readonly BatchListing[]> {
  const rows = await pool.query<{
    batch_id: string; source_file: string; format: string; status: string; started_at: Date; lines_loaded: string;
    lines_rejected: string; retracted_at: Date | null; retracted_by: string | null; retracted_why: string | null; build_id: string | null;
  }>(
    `select b.batch_id, b.source_file, b.format, b.status, b.started_at, b.lines_loaded, b.lines_rejected,
            b.retracted_at, b.retracted_by, b.retracted_why, a.build_id
       from landing.load_batches as b
       left join strata_meta.applied_retractions as a on a.batch_id = b.batch_id
      order by b.batch_id`,
  );
  return rows.rows.map((r) => ({
    batchId: Number(r.batch_id),
    sourceFile: r.source_file,
    format: r.format,
    status: r.status,
    startedAt: r.started_at,
    lines: Number(r.lines_loaded),
    quarantined: Number(r.lines_rejected),
    retractedAt: r.retracted_at,
    retractedBy: r.retracted_by,
    retractedWhy: r.retracted_why,
    appliedInBuild: r.build_id === null ? null : Number(r.build_id),
  }));
}

export interface Retraction {
  readonly batchId: number;
  /** who retracts: the OS user, or --by */
  readonly by: string;
  /** why, in words: kept with the batch */
  readonly why: string;
}

/**
 * Marks a loaded batch retracted, with who and why. Its lines stay in landing; the next build
 * marks them 'retracted' in silver and removes them from order_lines, returns, orders, customers
 * and gold, incrementally. Waits for a running build to finish (the build must see the
 * retraction whole or not at all). A batch that does not exist, is already retracted, or never
 * finished loading is a UsageError (exit 2) and changes nothing.
 */
export async function retractBatch(pool: pg.Pool, retraction: Retraction): Promise<BatchListing> {
  if (!retraction.why.trim()) throw new UsageError('--why must say why the batch is retracted');
  if (!retraction.by.trim()) throw new UsageError('--by must name who retracts the batch');
  const client = await pool.connect();
  try {
    await client.query('begin');
    await holdOffBuilds(client);
    const found = await client.query<{ status: string; retracted_by: string | null; retracted_at: Date | null; retracted_why: string | null }>(
      'select status, retracted_by, retracted_at, retracted_why from landing.load_batches where batch_id = $1 for update',
      [retraction.batchId],
    );
    const batch = found.rows[0];
    if (!batch) {
      const known = await client.query<{ low: string | null; high: string | null }>('select min(batch_id) as low, max(batch_id) as high from landing.load_batches');
      const range = known.rows[0]?.low == null ? 'there are no batches yet' : `batches are ${known.rows[0].low}–${known.rows[0].high}`;
      throw new UsageError(`batch ${retraction.batchId} does not exist (${range}; see npm run load -- --list)`);
    }
    if (batch.status === 'retracted') {
      throw new UsageError(
        `batch ${retraction.batchId} is already retracted (by ${batch.retracted_by} at ${batch.retracted_at?.toISOString()}: ${batch.retracted_why})`,
      );
    }
    if (batch.status !== 'loaded') {
      throw new UsageError(`batch ${retraction.batchId} is ${batch.status}, not loaded: it has no lines to retract`);
    }
    await client.query(
      `update landing.load_batches
          set status = 'retracted', retracted_at = clock_timestamp(), retracted_by = $2, retracted_why = $3
        where batch_id = $1`,
      [retraction.batchId, retraction.by.trim(), retraction.why.trim()],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return (await listBatches(pool)).find((b) => b.batchId === retraction.batchId)!;
}
