/**
 * Transactions read for validation, one purchase at a time: a customer, a calendar day (days
 * since 1970-01-01) and an amount. Readers stream their file; nothing here holds a whole file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse, type Info } from 'csv-parse';
import { InputError, UsageError } from '../../core/errors.ts';

export interface Purchase {
  readonly customer: string;
  /** whole days since 1970-01-01 */
  readonly day: number;
  readonly amount: number;
}

/** `YYYYMMDD`, `YYYY-MM-DD` or an ISO timestamp starting with one, as a day number; NaN otherwise. */
export function dayNumber(text: string): number {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(text.trim());
  if (!match) return NaN;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  return check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? ms / 86_400_000 : NaN;
}

/** A day number as YYYY-MM-DD. */
export function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** The file's bytes, gunzipped when its name ends in .gz. */
function open(file: string): Readable {
  const raw = createReadStream(file);
  if (!file.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

function readError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return new InputError(file, undefined, `cannot read the file (${code})`);
  if (code === 'Z_DATA_ERROR') return new InputError(file, undefined, 'not a gzip file, though its name ends in .gz');
  if (error instanceof CsvError) return new InputError(file, (error as CsvError & { lines?: number }).lines, error.message);
  return error;
}

/**
 * CDNOW's whitespace-separated text: the master file (`customer_id date number_of_cds
 * dollar_value`, a header line) or the 1/10 sample (no header; master id, sample id, date, CDs,
 * dollars). A customer is the master id in both.
 */
export async function* readCdnow(file: string): AsyncGenerator<Purchase> {
  const lines = createInterface({ input: open(file), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const fields = text.trim().split(/\s+/);
      if (fields.length === 1 && fields[0] === '') continue;
      if (line === 1 && fields[0] === 'customer_id') continue;
      const [customer, date, , dollars] = fields.length === 5 ? [fields[0], fields[2], fields[3], fields[4]] : fields;
      const day = dayNumber(date ?? '');
      const amount = Number(dollars);
      if (fields.length < 4 || !customer || Number.isNaN(day) || !Number.isFinite(amount)) {
        throw new InputError(file, line, `expected "customer date cds dollars" (master) or "id sample_id date cds dollars" (sample), got ${JSON.stringify(text)}`);
      }
      yield { customer, day, amount };
    }
  } catch (error) {
    throw readError(error, file);
  }
}

/** Which columns of a transactions CSV hold what. */
export interface CsvColumns {
  readonly customer: string;
  readonly date: string;
  readonly amount: string;
}

export const DEFAULT_CSV_COLUMNS: CsvColumns = { customer: 'customer_id', date: 'date', amount: 'amount' };

/** The UCI Online Retail layout, recognised by its header. */
const ONLINE_RETAIL = ['InvoiceNo', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'] as const;

/**
 * A transactions CSV with a header. The UCI Online Retail layout is recognised by its columns
 * and read by its rules: lines with a CustomerID, of invoices not starting with C (cancellations),
 * with quantity > 0 and unit price > 0; the amount is quantity × price. Any other file needs a
 * customer, a date and an amount column (`columns`).
 */
export async function* readTransactionsCsv(file: string, columns: CsvColumns = DEFAULT_CSV_COLUMNS): AsyncGenerator<Purchase> {
  const parser = open(file).pipe(parse({ bom: true, skip_empty_lines: true, info: true, relax_column_count: true }));
  let header: string[] | undefined;
  let retail = false;
  const at: Record<string, number> = {};
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      if (!header) {
        header = record;
        retail = ONLINE_RETAIL.every((c) => record.includes(c));
        const wanted = retail ? ONLINE_RETAIL : [columns.customer, columns.date, columns.amount];
        for (const name of wanted) {
          const index = record.indexOf(name);
          if (index < 0) {
            throw new UsageError(
              `${file} has no column "${name}" (name the columns with --columns customer=…,date=…,amount=…); its columns are: ${record.join(', ')}`,
            );
          }
          at[name] = index;
        }
        continue;
      }
      const field = (name: string): string => record[at[name]!] ?? '';
      if (retail) {
        const customer = field('CustomerID').trim();
        const quantity = Number(field('Quantity'));
        const price = Number(field('UnitPrice'));
        if (!customer || field('InvoiceNo').startsWith('C') || !(quantity > 0) || !(price > 0)) continue;
        const day = dayNumber(field('InvoiceDate'));
        if (Number.isNaN(day)) throw new InputError(file, info.lines, `InvoiceDate ${JSON.stringify(field('InvoiceDate'))} is not a date`);
        yield { customer, day, amount: quantity * price };
        continue;
      }
      const day = dayNumber(field(columns.date));
      const amount = Number(field(columns.amount));
      const customer = field(columns.customer).trim();
      if (!customer) continue;
      if (Number.isNaN(day)) throw new InputError(file, info.lines, `${columns.date} ${JSON.stringify(field(columns.date))} is not a date (YYYY-MM-DD)`);
      if (!Number.isFinite(amount)) throw new InputError(file, info.lines, `${columns.amount} ${JSON.stringify(field(columns.amount))} is not a number`);
      yield { customer, day, amount };
    }
  } catch (error) {
    throw readError(error, file);
  }
  if (!header) throw new InputError(file, undefined, 'the file is empty (a header line is needed)');
}
