import type pg from 'pg';
import { findLoadedBatch, landBatch } from '../batches.ts';
import { describeFailure } from '../load-failure.ts';
import type { LoadResult } from '../load.ts';
import { readHeader } from '../loader/inspect.ts';
import { openSource, sha256File, type SourceFile } from '../loader/source.ts';
import { landTravelRows } from './land.ts';
import { detectTravelTable, type TravelTable } from './tables.ts';

/** A TravelTide file recognised by its header, before anything touches the database. */
export interface TravelFile {
  readonly source: SourceFile;
  readonly table: TravelTable;
  readonly header: readonly string[];
}

/**
 * The TravelTide table `file` holds, judged by its header, or undefined when it is not one (an
 * order-lines file). Fails like the order-lines loader for a missing, unreadable or empty file.
 */
export async function inspectTravelFile(file: string): Promise<TravelFile | undefined> {
  const source = await openSource(file);
  const header = await readHeader(source);
  const table = detectTravelTable(header);
  return table ? { source, table, header } : undefined;
}

/**
 * Loads one TravelTide file (users, sessions, flights or hotels; plain or gzip) into its landing
 * table with the order-lines loader's guarantees: one batch row in landing.load_batches (format
 * `traveltide_<table>`), lineage (file and line) on every row, unreadable rows in
 * landing.quarantine, one transaction, and the same bytes loaded once.
 */
export async function loadTravelFile(pool: pg.Pool, file: string, travel: TravelFile): Promise<LoadResult> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const sha256 = await sha256File(travel.source.path);
  const already = (batchId: number): LoadResult => ({
    batchId, linesRead: 0, linesLoaded: 0, linesRejected: 0, alreadyLoaded: true, seconds: seconds(),
  });
  const existing = await findLoadedBatch(pool, sha256);
  if (existing !== undefined) return already(existing);

  const batch = { sourceFile: file, sha256, format: travel.table.format };
  const landed = await landBatch(
    pool,
    batch,
    (client, batchId, tally) => landTravelRows(client, batchId, travel.source, travel.table, travel.header, tally),
    (error, failed) => describeFailure(error, `${file} (TravelTide ${travel.table.name})`, failed),
  );
  return landed.alreadyLoaded ? already(landed.batchId) : { batchId: landed.batchId, ...landed.tally, alreadyLoaded: false, seconds: seconds() };
}
