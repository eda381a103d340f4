import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { onlineRetailFile } from '../support/data-files.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const FILE = onlineRetailFile();

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ingest_online_retail');
  await runMigrations(db.pool);
});
afterAll(async () => db?.drop());

/**
 * Σ quantity × unit price straight from the gz, by a plain line reader and no CSV parser: the
 * file has no line breaks inside fields, and the five columns after Description never hold a comma,
 * so they are the last five comma-separated pieces. Prices have at most 3 decimals: summing in
 * thousandths of a pound keeps the sum exact.
 */
async function independentTotal(): Promise<{ lines: number; milli: bigint }> {
  const lines = createInterface({ input: createReadStream(FILE).pipe(createGunzip()), crlfDelay: Infinity });
  let count = 0;
  let milli = 0n;
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const parts = line.split(',');
    const quantity = BigInt(parts[parts.length - 5]!);
    const [whole, fraction = ''] = parts[parts.length - 3]!.split('.');
    const priceMilli = BigInt(whole!) * 1000n + (whole!.startsWith('-') ? -1n : 1n) * BigInt(fraction.padEnd(3, '0') || '0');
    milli += quantity * priceMilli;
    count++;
  }
  return { lines: count, milli };
}

describe('the real UCI Online Retail file', () => {
  it('loads all 541,909 rows, quarantines none, and keeps every value as the README counts it', async () => {
    const [result, expected] = await Promise.all([loadFile(db.pool, { file: FILE }), independentTotal()]);
    expect(expected.lines).toBe(541_909);
    expect(result).toMatchObject({ linesRead: 541_909, linesLoaded: 541_909, linesRejected: 0, alreadyLoaded: false });

    const q = async (sql: string): Promise<Record<string, string>> => (await db.pool.query(sql)).rows[0] as Record<string, string>;
    const total = await q(`select (sum(quantity * unit_price) * 1000)::numeric(20, 0)::text as milli from landing.order_lines`);
    expect(BigInt(total.milli!)).toBe(expected.milli);

    // The README's counts: NULLs, cancellations, adjustments, negative and zero values, dates, countries.
    const facts = await q(`
      select count(*) filter (where customer_id is null)::int as no_customer,
             count(*) filter (where description is null)::int as no_description,
             count(*) filter (where invoice_no like 'C%')::int as cancellations,
             count(*) filter (where invoice_no like 'A%')::int as adjustments,
             count(*) filter (where quantity < 0)::int as negative_quantity,
             count(*) filter (where quantity = 0)::int as zero_quantity,
             count(*) filter (where unit_price = 0)::int as zero_price,
             count(*) filter (where unit_price < 0)::int as negative_price,
             count(*) filter (where description <> btrim(description))::int as padded_descriptions,
             count(*) filter (where description like '%£%')::int as pound_signs,
             count(distinct country)::int as countries,
             min(invoice_date)::text as first, max(invoice_date)::text as last,
             min(source_line)::int as first_line, max(source_line)::int as last_line
        from landing.order_lines`);
    expect(facts).toEqual({
      no_customer: 135_080,
      no_description: 1_454,
      cancellations: 9_288,
      adjustments: 3,
      negative_quantity: 10_624,
      zero_quantity: 0,
      zero_price: 2_515,
      negative_price: 2,
      padded_descriptions: 113_452,
      pound_signs: 32,
      countries: 38,
      first: '2010-12-01 08:26:00',
      last: '2011-12-09 12:50:00',
      first_line: 2,
      last_line: 541_910,
    });
    const duplicates = await q(`
      select (count(*) - count(distinct (invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country)))::int as n
        from landing.order_lines`);
    expect(duplicates.n).toBe(5_268);
    const quarantined = await q('select count(*)::int as n from landing.quarantine');
    expect(quarantined.n).toBe(0);
  });
});
