import type pg from 'pg';
import type { Tally } from '../batches.ts';
import { streamRows } from '../loader/land-rows.ts';
import type { SourceFile } from '../loader/source.ts';
import { travelRowConverter } from './convert.ts';
import { columnPositions, type TravelTable } from './tables.ts';

/**
 * Streams one TravelTide file's records into its landing table (bad ones into landing.quarantine)
 * on `client`, inside the caller's transaction: the loaders' one streaming loop (streamRows), fed
 * by the converter for `table`'s columns as `header` orders them.
 */
export async function landTravelRows(
  client: pg.PoolClient,
  batchId: number,
  source: SourceFile,
  table: TravelTable,
  header: readonly string[],
  tally: Tally,
): Promise<void> {
  await streamRows(
    client,
    batchId,
    source,
    {
      table: table.landing,
      copySql: `copy ${table.landing} (batch_id, source_file, source_line, ${table.columns.map((c) => c.name).join(', ')}) from stdin`,
      convert: travelRowConverter(table, header, columnPositions(table, header)),
    },
    tally,
  );
}
