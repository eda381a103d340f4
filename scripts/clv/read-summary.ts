/**
 * Reads a customer-summary CSV as a stream and aggregates it to distinct rows while reading,
 * so memory holds the distinct combinations, never the file.
 */
import { createReadStream } from 'node:fs';
import { CsvError, parse, type Info } from 'csv-parse';
import { InputError, UsageError } from '../core/errors.ts';
import { SummaryAggregator, rowProblem, type SummaryKind } from './summary.ts';
import type { SummaryRow } from './types.ts';

/** Our names for the summary fields, mapped to the file's column names. */
export interface ColumnNames {
  readonly frequency: string;
  readonly recency: string;
  readonly T: string;
  readonly monetary_value: string;
  /** the customer's id; only `clv predict` reads it */
  readonly id: string;
}

export const DEFAULT_COLUMNS: ColumnNames = {
  frequency: 'frequency',
  recency: 'recency',
  T: 'T',
  monetary_value: 'monetary_value',
  id: 'id',
};

/**
 * Column names from `ours=theirs` pairs (each argument may hold several, comma-separated),
 * the rest left at their defaults.
 *
 * @example parseColumnMap(['frequency=x,recency=t_x', 'monetary_value=zbar'])
 */
export function parseColumnMap(specs: readonly string[]): ColumnNames {
  const columns: Record<string, string> = { ...DEFAULT_COLUMNS };
  for (const pair of specs.flatMap((spec) => spec.split(',')).filter((p) => p.trim() !== '')) {
    const [ours, theirs, ...extra] = pair.split('=').map((part) => part.trim());
    if (!ours || !theirs || extra.length > 0) {
      throw new UsageError(`--map expects ours=theirs pairs, got "${pair}"`);
    }
    if (!(ours in DEFAULT_COLUMNS)) {
      throw new UsageError(`--map: unknown field "${ours}"; the fields are ${Object.keys(DEFAULT_COLUMNS).join(', ')}`);
    }
    columns[ours] = theirs;
  }
  return columns as unknown as ColumnNames;
}

export interface SummaryFile {
  /** distinct rows with counts, ordered by x */
  readonly rows: SummaryRow[];
  /** customers read (for `spend`: repeat customers kept) */
  readonly customers: number;
}

/** The fields each kind of model reads. */
const FIELDS: Readonly<Record<SummaryKind, readonly (keyof ColumnNames)[]>> = {
  purchase: ['frequency', 'recency', 'T'],
  opportunity: ['frequency', 'recency', 'T'],
  spend: ['frequency', 'monetary_value'],
};

/**
 * Streams `file` (CSV with a header) and aggregates it for `kind`. A needed column the file
 * lacks is a UsageError naming it and the file's columns; a value that is not a number, or a
 * row the models cannot use, is an InputError with the file's line.
 */
export async function readSummaryFile(file: string, kind: SummaryKind, columns: ColumnNames): Promise<SummaryFile> {
  const aggregator = new SummaryAggregator(kind);
  for await (const { row } of readSummaryRecords(file, kind, columns)) aggregator.add(row);
  return { rows: aggregator.rows(), customers: aggregator.customers };
}

/** One customer's row of a summary file, with the file's line and (when asked for) the id. */
export interface SummaryRecord {
  readonly row: SummaryRow;
  readonly line: number;
  readonly id?: string;
}

/**
 * Streams `file` one customer at a time, checking each row as readSummaryFile does. With
 * `withId`, the id column (`columns.id`) must exist and each record carries it; with
 * `withMonetary` on a purchase file, the monetary column is read too when the file has it.
 */
export async function* readSummaryRecords(
  file: string,
  kind: SummaryKind,
  columns: ColumnNames,
  options: { readonly withId?: boolean; readonly withMonetary?: boolean } = {},
): AsyncGenerator<SummaryRecord> {
  const source = createReadStream(file);
  const parser = source.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, info: true }));
  // pipe() does not forward a read error (missing file); hand it to the parser we iterate
  source.on('error', (error) => parser.destroy(error));
  let index: Partial<Record<keyof ColumnNames, number>> | undefined;
  try {
    // csv-parse yields `any`; with `info: true` every item is { record, info }
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      if (!index) {
        index = locateColumns(record, kind, columns, options.withId ? ['id'] : []);
        const monetaryAt = record.indexOf(columns.monetary_value);
        if (options.withMonetary && kind === 'purchase' && monetaryAt >= 0) index.monetary_value = monetaryAt;
        continue;
      }
      const at = index;
      const value = (field: keyof ColumnNames): number =>
        parseNumber(file, info.lines, columns[field], record[at[field]!]);
      const base: SummaryRow =
        kind === 'spend'
          ? { x: value('frequency'), tx: 0, T: 0, monetary: value('monetary_value') }
          : { x: value('frequency'), tx: value('recency'), T: value('T') };
      const row = kind === 'purchase' && at.monetary_value !== undefined ? { ...base, monetary: value('monetary_value') } : base;
      const problem = rowProblem(base, kind);
      if (problem) throw new InputError(file, info.lines, problem);
      yield { row, line: info.lines, ...(at.id === undefined ? {} : { id: record[at.id] ?? '' }) };
    }
  } catch (error) {
    throw asInputError(error, file);
  }
  if (!index) throw new InputError(file, undefined, 'the file is empty (a header line is needed)');
}

function locateColumns(
  header: readonly string[],
  kind: SummaryKind,
  columns: ColumnNames,
  extra: readonly (keyof ColumnNames)[] = [],
): Partial<Record<keyof ColumnNames, number>> {
  const index: Partial<Record<keyof ColumnNames, number>> = {};
  for (const field of [...FIELDS[kind], ...extra]) {
    const at = header.indexOf(columns[field]);
    if (at < 0) {
      const hint = columns[field] === DEFAULT_COLUMNS[field] ? ` (name it with --map ${field}=<column>)` : '';
      throw new UsageError(
        `the summary file has no column "${columns[field]}" for ${field}${hint}; its columns are: ${header.join(', ')}`,
      );
    }
    index[field] = at;
  }
  return index;
}

function parseNumber(file: string, line: number, column: string, text: string | undefined): number {
  const value = text === undefined || text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new InputError(file, line, `column "${column}": ${JSON.stringify(text ?? '')} is not a number`);
  }
  return value;
}

function asInputError(error: unknown, file: string): unknown {
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return new InputError(file, line, error.message);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return new InputError(file, undefined, `cannot read the file (${code})`);
  }
  return error;
}
