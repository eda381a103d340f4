import type pg from 'pg';
import { InputError } from '../../core/errors.ts';
import { CopyIn } from '../copy-stream.ts';
import { copyRaw, copyText } from '../copy-text.ts';
import type { Tally } from '../loader/land-rows.ts';
import { CsvRecordSplitter } from '../loader/records.ts';
import type { Rejection } from '../loader/rows.ts';
import { readSource, type SourceFile } from '../loader/source.ts';
import { travelRowConverter } from './convert.ts';
import { columnPositions, type TravelTable } from './tables.ts';

const QUARANTINE_SQL =
  'copy landing.quarantine (batch_id, source_file, source_line, raw_text, reason, column_name, value) from stdin';
/** Quarantine text held before it is sent; bounds memory when most of a file is bad. */
const QUARANTINE_FLUSH_CHARS = 4 * 1024 * 1024;

/**
 * Streams one TravelTide file's records into its landing table (bad ones into landing.quarantine)
 * on `client`, inside the caller's transaction, one read chunk at a time: the same contract as
 * the order-lines loader's landRows, for a table whose columns come from `table`.
 */
export async function landTravelRows(
  client: pg.PoolClient,
  batchId: number,
  source: SourceFile,
  table: TravelTable,
  header: readonly string[],
  tally: Tally,
): Promise<void> {
  const rowsSql = `copy ${table.landing} (batch_id, source_file, source_line, ${table.columns.map((c) => c.name).join(', ')}) from stdin`;
  const prefix = `${batchId}\t${copyRaw(source.path)}\t`;
  const convert = travelRowConverter(table, header, columnPositions(table, header));
  let out = '';
  let quarantine = '';
  let headerSeen = false;
  let copied = 0;
  const reject = (line: number, raw: string, why: Rejection): void => {
    tally.linesRejected++;
    quarantine += `${prefix}${line}\t${copyRaw(raw)}\t${why.reason}\t${copyText(why.column)}\t${copyText(why.value)}\n`;
  };
  const splitter = new CsvRecordSplitter({
    record(fields, line, raw) {
      if (!headerSeen) {
        headerSeen = true;
        return;
      }
      tally.linesRead++;
      const row = convert(fields);
      if (typeof row === 'string') {
        out += `${prefix}${line}\t${row}\n`;
        tally.linesLoaded++;
      } else reject(line, raw, row);
    },
    malformed(line, raw, detail) {
      tally.linesRead++;
      reject(line, raw, { reason: 'malformed quoting', column: null, value: detail });
    },
  });

  let rows = new CopyIn(client, rowsSql);
  const sendQuarantine = async (): Promise<void> => {
    copied += await rows.finish();
    const copy = new CopyIn(client, QUARANTINE_SQL);
    rows = copy; // so a failure here aborts this COPY
    await copy.write(quarantine);
    quarantine = '';
    await copy.finish();
  };
  const { stream } = readSource(source);
  const decoder = new TextDecoder('utf-8');
  try {
    try {
      for await (const chunk of stream) {
        splitter.push(decoder.decode(chunk as Buffer, { stream: true }));
        await rows.write(out);
        out = '';
        if (quarantine.length > QUARANTINE_FLUSH_CHARS) {
          await sendQuarantine();
          rows = new CopyIn(client, rowsSql);
        }
      }
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code?.startsWith('Z_')) {
        throw new InputError(source.path, undefined, `cannot read: ${(error as Error).message}`);
      }
      throw error;
    }
    splitter.push(decoder.decode());
    splitter.end();
    await rows.write(out);
    if (quarantine.length > 0) await sendQuarantine();
    else copied += await rows.finish();
  } catch (error) {
    stream.destroy();
    await rows.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  if (copied !== tally.linesLoaded) {
    throw new Error(`the server took ${copied} ${table.name} rows but ${tally.linesLoaded} were sent`);
  }
}
