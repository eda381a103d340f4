import { createReadStream } from 'node:fs';
import { parse, type Info } from 'csv-parse';
import { InputError } from '../../core/errors.ts';

/** One CSV record and the file lines it starts and ends on (1-based; they differ when a quoted field holds a newline). */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
  readonly endLine: number;
}

/**
 * Streams a CSV file's records (BOM stripped, CRLF or LF, quoted commas and newlines). A
 * malformed file becomes an InputError naming the file and line.
 */
export async function* csvRecords(absPath: string): AsyncGenerator<CsvRecord> {
  const input = createReadStream(absPath);
  const parser = parse({ bom: true, info: true });
  // pipe() does not pass a read error on; without this a missing file would hang the loop
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let nextLine = 1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // info.lines is the line the record ended on
      yield { fields: record, line: nextLine, endLine: info.lines };
      nextLine = info.lines + 1;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const e = error as { message?: string; lines?: number; code?: string };
    if (e.code === 'ENOENT') throw new InputError(absPath, undefined, 'file not found', { cause: error });
    throw new InputError(absPath, typeof e.lines === 'number' ? e.lines : undefined, e.message ?? String(error), { cause: error });
  } finally {
    input.destroy();
    parser.destroy();
  }
}
