import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { CSV_HEADER, csvLine } from './format.ts';
import { generateBlocks, resolveOptions, type GenerateOptions } from './lines.ts';

export interface CsvWriteResult {
  readonly lines: number;
  readonly customers: number;
  readonly seconds: number;
}

const PIECE_CHARS = 1 << 20;

/**
 * Writes the synthetic lines as an Online Retail CSV file (gzip when `path` ends in .gz), for
 * loading with `npm run load` or anything else. Streams with back-pressure, as generate() does.
 */
export async function writeCsv(
  options: GenerateOptions,
  path: string,
  onProgress?: (customersDone: number, lines: number) => void,
): Promise<CsvWriteResult> {
  const started = performance.now();
  const resolved = resolveOptions(options);
  const file = createWriteStream(path);
  const gzip = path.endsWith('.gz') ? createGzip() : undefined;
  const out: Writable = gzip ?? file;
  if (gzip) gzip.pipe(file);
  const closed = once(file, 'close');
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let lines = 0;
  let customersDone = 0;
  let piece = `${CSV_HEADER}\n`;
  for (const block of generateBlocks(resolved)) {
    for (const line of block.lines) piece += csvLine(line);
    lines += block.lines.length;
    if (block.customer) customersDone++;
    if (piece.length >= PIECE_CHARS) {
      await write(piece);
      piece = '';
      onProgress?.(customersDone, lines);
    }
  }
  await write(piece);
  onProgress?.(customersDone, lines);
  out.end();
  await closed;
  return { lines, customers: resolved.customers, seconds: (performance.now() - started) / 1000 };
}
