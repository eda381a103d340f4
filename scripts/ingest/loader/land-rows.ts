import type pg from 'pg';
import type { Tally } from '../batches.ts';
import { InputError } from '../../core/errors.ts';
import { CopyIn } from '../copy-stream.ts';
import { copyRaw, copyText } from '../copy-text.ts';
import type { InspectedFile } from './inspect.ts';
import { CsvRecordSplitter } from './records.ts';
import { visibleNul, type Rejection } from './rows.ts';
import { readSource, type SourceFile } from './source.ts';
import { landingTarget, type LandingTarget } from './target.ts';

export interface LoadProgress {
  /** bytes of the file as stored (compressed, for a .gz) */
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly linesRead: number;
}

const QUARANTINE_SQL =
  'copy landing.quarantine (batch_id, source_file, source_line, raw_text, reason, column_name, value) from stdin';
/** Quarantine text held before it is sent; bounds memory when most of a file is bad. */
const QUARANTINE_FLUSH_CHARS = 4 * 1024 * 1024;
/**
 * Rows per landing-table COPY before a new one begins. Each COPY keeps the file line of every row
 * it was sent, so that a row the server refuses is reported by its line in the file (the server
 * counts rows within its COPY); this bounds that list.
 */
const COPY_SEGMENT_ROWS = 1_000_000;

/**
 * Streams an inspected file's records into its landing table: landing.order_lines, or the landing
 * table of a table format (e.g. airline members). See streamRows.
 */
export async function landRows(
  client: pg.PoolClient,
  batchId: number,
  inspected: InspectedFile,
  tally: Tally,
  onProgress?: (progress: LoadProgress) => void,
): Promise<void> {
  await streamRows(client, batchId, inspected.source, landingTarget(inspected.layout), tally, onProgress);
}

/**
 * The one streaming loop of every loader (order lines, table formats, TravelTide files): the
 * file's records, converted by `target.convert`, into `target.table` (and bad ones into
 * landing.quarantine) on `client`, inside the caller's transaction. Never holds more than one read
 * chunk of rows: each chunk's COPY text is sent, with back-pressure, before the next chunk is read.
 * The file's first record is its header, read and checked by the caller.
 *
 * Both tables get their own COPY on the one connection (the transaction must cover both), so
 * quarantine text waits in a buffer; when the buffer fills, the landing COPY is ended, the
 * quarantine sent, and a new landing COPY begun.
 */
export async function streamRows(
  client: pg.PoolClient,
  batchId: number,
  source: SourceFile,
  target: LandingTarget,
  tally: Tally,
  onProgress?: (progress: LoadProgress) => void,
): Promise<void> {
  const prefix = `${batchId}\t${copyRaw(source.path)}\t`;
  const { copySql: LINES_SQL, convert } = target;
  let out = '';
  let quarantine = '';
  let headerSeen = false;
  let copied = 0;
  /** the file line of each row of the open COPYs, in the order sent */
  let lineRows: number[] = [];
  let quarantineRows: number[] = [];

  const reject = (line: number, raw: string, why: Rejection): void => {
    tally.linesRejected++;
    quarantineRows.push(line);
    const value = why.value === null ? null : visibleNul(why.value);
    quarantine += `${prefix}${line}\t${copyRaw(visibleNul(raw))}\t${why.reason}\t${copyText(why.column)}\t${copyText(value)}\n`;
  };
  const splitter = new CsvRecordSplitter({
    record(fields, line, raw) {
      if (!headerSeen) {
        headerSeen = true; // the caller has read and checked it
        return;
      }
      tally.linesRead++;
      const row = convert(fields, raw);
      if (typeof row === 'string') {
        out += prefix + line + '\t' + row + '\n';
        lineRows.push(line);
        tally.linesLoaded++;
      } else reject(line, raw, row);
    },
    malformed(line, raw, detail) {
      tally.linesRead++;
      reject(line, raw, { reason: 'malformed quoting', column: null, value: detail });
    },
  });

  let lines = new CopyIn(client, LINES_SQL);
  const sendQuarantine = async (): Promise<void> => {
    copied += await lines.finish();
    const copy = new CopyIn(client, QUARANTINE_SQL);
    lines = copy; // so a failure here aborts this COPY
    await copy.write(quarantine);
    quarantine = '';
    await copy.finish();
    quarantineRows = [];
  };
  const nextLinesCopy = async (): Promise<void> => {
    copied += await lines.finish();
    lines = new CopyIn(client, LINES_SQL);
    lineRows = [];
  };

  const { stream, bytesRead } = readSource(source);
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of readChunks(stream, source.path)) {
      pushText(splitter, decoder.decode(chunk, { stream: true }), source.path);
      await lines.write(out);
      out = '';
      if (quarantine.length > QUARANTINE_FLUSH_CHARS) {
        await sendQuarantine();
        lines = new CopyIn(client, LINES_SQL);
        lineRows = [];
      } else if (lineRows.length >= COPY_SEGMENT_ROWS) await nextLinesCopy();
      onProgress?.({ bytesRead: bytesRead(), bytesTotal: source.bytes, linesRead: tally.linesRead });
    }
    pushText(splitter, decoder.decode(), source.path);
    splitter.end();
    await lines.write(out);
    out = '';
    if (quarantine.length > 0) await sendQuarantine();
    else copied += await lines.finish();
  } catch (error) {
    stream.destroy();
    await lines.abort(error instanceof Error ? error : new Error(String(error)));
    throw refusedAtFileLine(error, source.path, { [bareName(target.table)]: lineRows, quarantine: quarantineRows });
  }
  if (copied !== tally.linesLoaded) {
    throw new Error(`the server took ${copied} rows into ${target.table} but ${tally.linesLoaded} were sent`);
  }
  onProgress?.({ bytesRead: source.bytes, bytesTotal: source.bytes, linesRead: tally.linesRead });
}

/**
 * A row the server refused, named by its line in the file: PostgreSQL's context says
 * `COPY order_lines, line 501, …`, counting rows within that COPY, which `sent` maps back.
 * Any other error is returned as it is.
 */
export function refusedAtFileLine(error: unknown, path: string, sent: Readonly<Record<string, readonly number[]>>): unknown {
  const pgError = error as { message?: string; where?: string; severity?: string };
  const at = pgError.severity ? /COPY (\w+), line (\d+)/.exec(pgError.where ?? '') : null;
  const fileLine = at ? sent[at[1]!]?.[Number(at[2]) - 1] : undefined;
  if (fileLine === undefined) return error;
  // every landing table is in schema landing; the COPY context names the table without it
  return new InputError(path, fileLine, `PostgreSQL refused this line for landing.${at![1]}: ${pgError.message}`);
}

/** `landing.order_lines` → `order_lines`, as PostgreSQL's COPY context names the table. */
function bareName(table: string): string {
  return table.slice(table.lastIndexOf('.') + 1);
}

/** The byte stream's chunks, with read and decompression errors named as the file's. */
async function* readChunks(stream: AsyncIterable<unknown>, path: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputError(path, undefined, `cannot read: ${detail}`, { cause: error });
  }
}

function pushText(splitter: CsvRecordSplitter, text: string, path: string): void {
  try {
    splitter.push(text);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(path, undefined, error.message, { cause: error });
    throw error;
  }
}
