import type pg from 'pg';
import { InputError, StrataError } from '../core/errors.ts';
import { findLoadedBatch, finishBatch, isUniqueViolation, recordFailedBatch, startBatch } from './batches.ts';
import { inspectFile, type InspectOptions } from './loader/inspect.ts';
import { landRows, type LoadProgress, type Tally } from './loader/land-rows.ts';
import { sha256File } from './loader/source.ts';
import { inspectTravelFile, loadTravelFile } from './travel/load.ts';

export { inspectFile } from './loader/inspect.ts';
export type { LoadProgress } from './loader/land-rows.ts';

export interface LoadOptions extends InspectOptions {
  /** called after each chunk read (about every 256 KB of the file) */
  readonly onProgress?: (progress: LoadProgress) => void;
}

export interface LoadResult {
  /** the new batch, or the batch that already holds this file */
  readonly batchId: number;
  /** data records read (the header is not counted); 0 when already loaded */
  readonly linesRead: number;
  readonly linesLoaded: number;
  /** records sent to landing.quarantine */
  readonly linesRejected: number;
  /** the same bytes were loaded before: nothing was added */
  readonly alreadyLoaded: boolean;
  readonly seconds: number;
}

/**
 * Loads one CSV file (plain or gzip) into landing.order_lines (or, for a TravelTide users,
 * sessions, flights or hotels file recognised by its header, into its landing.travel_* table): one transaction for the batch row,
 * every good row and every quarantined one, so a failed load leaves only a 'failed' batch row.
 * A file whose sha256 matches a loaded batch adds nothing and reports that batch.
 *
 * @example
 * const r = await loadFile(pool, { file: 'data/orders.csv', map: { customer_id: 'ClientNumber' } });
 * // r.linesLoaded, r.linesRejected (see landing.quarantine), r.alreadyLoaded
 */
export async function loadFile(pool: pg.Pool, options: LoadOptions): Promise<LoadResult> {
  // TravelTide's users, sessions, flights and hotels files are recognised by their header
  const travel = options.format === undefined ? await inspectTravelFile(options.file) : undefined;
  if (travel) return loadTravelFile(pool, options.file, travel);
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const inspected = await inspectFile(options);
  const sha256 = await sha256File(inspected.source.path);
  const already = (batchId: number): LoadResult => ({
    batchId,
    linesRead: 0,
    linesLoaded: 0,
    linesRejected: 0,
    alreadyLoaded: true,
    seconds: seconds(),
  });
  const existing = await findLoadedBatch(pool, sha256);
  if (existing !== undefined) return already(existing);

  const batch = { sourceFile: options.file, sha256, format: inspected.layout.format };
  const tally: Tally = { linesRead: 0, linesLoaded: 0, linesRejected: 0 };
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const batchId = await startBatch(client, batch);
    await landRows(client, batchId, inspected, tally, options.onProgress);
    await finishBatch(client, batchId, tally);
    await client.query('commit');
    return { batchId, ...tally, alreadyLoaded: false, seconds: seconds() };
  } catch (error) {
    await client.query('rollback').catch((e: Error) => (broken = e));
    if (isUniqueViolation(error)) {
      const other = await findLoadedBatch(pool, sha256);
      if (other !== undefined) return already(other); // loaded by someone else meanwhile
    }
    const failed = await recordFailedBatch(pool, batch, tally).catch(() => undefined);
    throw describeFailure(error, options.file, failed);
  } finally {
    client.release(broken);
  }
}

function describeFailure(error: unknown, file: string, failedBatch: number | undefined): StrataError {
  const recorded = failedBatch === undefined ? '' : ` (recorded as failed batch ${failedBatch})`;
  if (error instanceof InputError) {
    const where = `${error.file}${error.line === undefined ? '' : `:${error.line}`}: `;
    return new InputError(error.file, error.line, `${error.message.slice(where.length)}${recorded}`, { cause: error });
  }
  if (error instanceof StrataError) return error;
  const pgError = error as { message?: string; where?: string; detail?: string; severity?: string };
  if (pgError.severity) {
    const extra = [pgError.detail, pgError.where].filter(Boolean).join('; ');
    return new StrataError(`loading ${file} failed: PostgreSQL said: ${pgError.message}${extra ? ` (${extra})` : ''}${recorded}`, { cause: error });
  }
  return new StrataError(`loading ${file} failed: ${error instanceof Error ? error.message : String(error)}${recorded}`, { cause: error });
}
