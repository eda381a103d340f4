import type pg from 'pg';
import { findLoadedBatch, landBatch } from './batches.ts';
import { describeFailure } from './load-failure.ts';
import { inspectFile, type InspectOptions } from './loader/inspect.ts';
import { landRows, type LoadProgress } from './loader/land-rows.ts';
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
  const landed = await landBatch(
    pool,
    batch,
    (client, batchId, tally) => landRows(client, batchId, inspected, tally, options.onProgress),
    (error, failed) => describeFailure(error, options.file, failed),
  );
  return landed.alreadyLoaded ? already(landed.batchId) : { batchId: landed.batchId, ...landed.tally, alreadyLoaded: false, seconds: seconds() };
}
