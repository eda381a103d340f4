/**
 * The CDNOW fixtures (tests/fixtures/cdnow/README.md), read synchronously for tests. Times are
 * in weeks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SummaryRow } from '../../../scripts/clv/types.ts';
import { dataFile } from '../../support/data-files.ts';

/** The small CDNOW files, kept in the repository. */
export const CDNOW_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'cdnow');
/** The full cohort's transactions (405 KB gzipped), kept with the other data sets outside the repository. */
export const cdnowMasterFile = (): string => dataFile('cdnow/CDNOW_master.txt.gz');
export const SUMMARY_CSV = `${CDNOW_DIR}/cdnow_customers_summary.csv`;
export const WITH_SPEND_CSV = `${CDNOW_DIR}/cdnow_customers_summary_with_transactions.csv`;

function csvRows(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));
}

/** cdnow_customers_summary.csv: ID, frequency, recency, T. */
export function cdnowSummary(): SummaryRow[] {
  return csvRows(SUMMARY_CSV).map(([, x, tx, T]) => ({ x: x!, tx: tx!, T: T! }));
}

/** cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (zbar rounded to cents). */
export function cdnowWithSpend(): SummaryRow[] {
  return csvRows(WITH_SPEND_CSV).map(([, x, tx, T, zbar]) => ({ x: x!, tx: tx!, T: T!, monetary: zbar! }));
}

/**
 * The same 2,357 customers with zbar rebuilt from CDNOW_sample.txt at full precision, following
 * the README: rows grouped by (sample id, date) with dollars summed; the first date is the
 * first purchase; repeat dates up to 1997-09-30 count; zbar is the mean of their day totals.
 */
export function cdnowSpendFromTransactions(): SummaryRow[] {
  const days = new Map<string, Map<string, number>>();
  for (const line of readFileSync(`${CDNOW_DIR}/CDNOW_sample.txt`, 'utf8').split(/\r?\n/)) {
    const [, id, date, , dollars] = line.trim().split(/\s+/);
    if (!id || !date || dollars === undefined) continue;
    const customer = days.get(id) ?? new Map<string, number>();
    customer.set(date, (customer.get(date) ?? 0) + Number(dollars));
    days.set(id, customer);
  }
  return [...days.values()].map((customer) => {
    const repeat = [...customer.keys()].sort().slice(1).filter((date) => date <= '19970930');
    const total = repeat.reduce((sum, date) => sum + customer.get(date)!, 0);
    return { x: repeat.length, tx: 0, T: 0, monetary: repeat.length > 0 ? total / repeat.length : 0 };
  });
}

/** Rounds to `digits` decimals, as the papers print their estimates. */
export function rounded(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
