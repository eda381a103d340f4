import { InputError, UsageError } from '../../core/errors.ts';
import { FORMATS, FORMAT_NAMES, detectFormat, type FormatName } from './formats.ts';
import { columnMapOf, resolveLayout } from './layout.ts';
import { CsvRecordSplitter } from './records.ts';
import { openSource, readSource, type SourceFile } from './source.ts';
import { unusableText } from './text-check.ts';
import { TABLE_FORMATS } from './airline-formats.ts';
import { detectTableFormat, resolveTableLayout } from './table-formats.ts';
import type { AnyLayout } from './target.ts';

/** A file checked and understood, before anything touches the database. */
export interface InspectedFile {
  readonly source: SourceFile;
  readonly layout: AnyLayout;
}

export interface InspectOptions {
  readonly file: string;
  /** online_retail | orders; detected from the header when absent */
  readonly format?: string;
  /** ours → theirs column names */
  readonly map?: Readonly<Record<string, string>>;
}

/**
 * Everything that can be wrong with a load before it starts: the file is missing or unreadable,
 * the format is unknown, the header lacks a column the format or a mapping needs. Each is a
 * StrataError naming the file and, for columns, listing the header the file does have.
 */
export async function inspectFile(options: InspectOptions): Promise<InspectedFile> {
  const map = columnMapOf(options.map ?? {});
  const tableFormat = TABLE_FORMATS.find((f) => f.name === options.format);
  if (options.format !== undefined && !tableFormat && !FORMAT_NAMES.includes(options.format as FormatName)) {
    const names = [...FORMAT_NAMES, ...TABLE_FORMATS.map((f) => f.name)];
    throw new UsageError(`unknown format "${options.format}"; the formats are ${names.join(', ')}`);
  }
  const source = await openSource(options.file);
  const header = await readHeader(source);
  // Files with a landing table of their own (airline members and activity) are recognised by
  // their header before the order-line formats; --map applies to order lines only.
  const table = options.format === undefined ? detectTableFormat(TABLE_FORMATS, header) : tableFormat;
  if (table) return { source, layout: resolveTableLayout(options.file, header, table) };
  const format = options.format ? FORMATS[options.format as FormatName] : detectFormat(header);
  return { source, layout: resolveLayout(options.file, header, format, map, options.format === undefined) };
}

/** The file's first record: its column names. */
export async function readHeader(source: SourceFile): Promise<readonly string[]> {
  const { stream } = readSource(source);
  const decoder = new TextDecoder('utf-8');
  let header: string[] | undefined;
  let problem: string | undefined;
  const splitter = new CsvRecordSplitter({
    // The first event wins: a malformed first record is a bad header, not a reason to use line 2.
    record: (fields) => {
      if (!header && !problem) header = fields;
    },
    malformed: (_line, _raw, detail) => {
      if (!header && !problem) problem = detail;
    },
  });
  let unusable: string | undefined;
  try {
    for await (const chunk of stream) {
      if (!header && !problem && unusable === undefined) {
        unusable = unusableText(chunk as Buffer) ?? '';
        if (unusable) break;
      }
      splitter.push(decoder.decode(chunk as Buffer, { stream: true }));
      if (header || problem) break;
    }
    if (!header && !problem) splitter.end();
  } catch (error) {
    throw new InputError(source.path, undefined, `cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    stream.destroy();
  }
  if (unusable) throw new InputError(source.path, undefined, unusable);
  if (problem && !header) throw new InputError(source.path, 1, `the header line is not valid CSV: ${problem}`);
  if (!header) throw new InputError(source.path, undefined, 'the file is empty: there is no header line');
  return header;
}
