import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/core/errors.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { generate, generateLines } from '../../scripts/ingest/generate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { writeCsv } from '../../scripts/ingest/synthetic/csv-file.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let db: TestDatabase;
let scratch: string;
beforeAll(async () => {
  db = await createTestDatabase('ingest_generate');
  await runMigrations(db.pool);
  scratch = await mkdtemp(join(tmpdir(), 'strata-generate-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(scratch, { recursive: true, force: true });
});

const one = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>> =>
  (await db.pool.query(sql, params)).rows[0] as Record<string, unknown>;

describe('generate into the landing tables', () => {
  it('writes N customers\' lines and their true archetypes, the same rows as generateLines', async () => {
    const result = await generate(db.pool, { customers: 300, seed: 11 });
    expect(result).toMatchObject({ customers: 300, alreadyGenerated: false });
    expect(result.lines).toBeGreaterThan(300 * 20);

    const counts = await one(
      `select count(*)::int as lines, count(distinct customer_id)::int as customers,
              count(*) filter (where customer_id is null)::int as guests,
              min(source_line)::int as first_line, max(source_line)::int as last_line
         from landing.order_lines where batch_id = $1`,
      [result.batchId],
    );
    expect(counts).toMatchObject({ lines: result.lines, customers: 300, first_line: 2, last_line: result.lines + 1 });
    const archetypes = await one(
      `select count(*)::int as n, count(distinct archetype)::int as kinds, min(customer_id) as low, max(customer_id) as high,
              count(*) filter (where customer_id not in (select customer_id from landing.order_lines where batch_id = $1 and customer_id is not null))::int as without_lines
         from landing.synthetic_archetypes where batch_id = $1`,
      [result.batchId],
    );
    expect(archetypes).toEqual({ n: 300, kinds: 8, low: '100001', high: '100300', without_lines: 0 });
    const batch = await one('select * from landing.load_batches where batch_id = $1', [result.batchId]);
    expect(batch).toMatchObject({ status: 'loaded', format: 'synthetic', source_file: 'synthetic:seed=11,customers=300', lines_loaded: String(result.lines) });

    // what landed is exactly what the pure generator yields
    const expected = createHash('sha256');
    for await (const l of generateLines({ customers: 300, seed: 11 })) {
      expected.update([l.invoiceNo, l.stockCode, l.description ?? '', l.quantity, l.invoiceDate, l.unitPrice, l.customerId ?? '', l.country].join('|') + '\n');
    }
    const landed = await db.pool.query<{ row: string }>(
      `select concat_ws('|', invoice_no, stock_code, coalesce(description, ''), quantity, to_char(invoice_date, 'YYYY-MM-DD HH24:MI:SS'),
                        to_char(unit_price, 'FM999999990.00'), coalesce(customer_id, ''), country) as row
         from landing.order_lines where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    const actual = createHash('sha256');
    for (const r of landed.rows) actual.update(r.row + '\n');
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
  });

  it('adds nothing for the same options again, and refuses customer ids another run took', async () => {
    const before = await one('select count(*)::int as n from landing.order_lines');
    const again = await generate(db.pool, { customers: 300, seed: 11 });
    expect(again).toMatchObject({ alreadyGenerated: true, lines: 0 });
    await expect(generate(db.pool, { customers: 10, seed: 12, firstCustomerId: 100_250 })).rejects.toThrow(UsageError);
    await expect(generate(db.pool, { customers: 10, seed: 12, firstCustomerId: 100_250 })).rejects.toThrow(
      /customer ids 100250–100259 overlap the synthetic customers 100001–100300 of batch \d+; choose others with --first-customer-id 100301/,
    );
    expect((await one('select count(*)::int as n from landing.order_lines')).n).toBe(before.n);
    const other = await generate(db.pool, { customers: 10, seed: 12, firstCustomerId: 100_301 });
    expect(other.alreadyGenerated).toBe(false);
  });

  it('writes a CSV (--out) that the loader reads back whole', async () => {
    const file = join(scratch, 'synthetic.csv.gz');
    const written = await writeCsv({ customers: 150, seed: 5 }, file);
    const loaded = await loadFile(db.pool, { file });
    expect(loaded).toMatchObject({ linesRead: written.lines, linesLoaded: written.lines, linesRejected: 0 });
    const direct = await generate(db.pool, { customers: 150, seed: 5, firstCustomerId: 100_001 + 5_000 });
    // same lines apart from customer ids: same count, same money, same guests
    const summary = async (batchId: number): Promise<unknown> =>
      one(
        `select count(*)::int as n, sum(quantity * unit_price)::text as money, count(*) filter (where customer_id is null)::int as guests,
                count(*) filter (where description is distinct from btrim(description))::int as padded
           from landing.order_lines where batch_id = $1`,
        [batchId],
      );
    expect(await summary(loaded.batchId)).toEqual(await summary(direct.batchId));
  });
});

describe('generate into a database that holds data', () => {
  it('continues customer ids and invoice numbers after the existing ones, and makes the next day with --start and --days', async () => {
    const before = await one(
      `select max(customer_id::bigint)::int as customer, max(substring(invoice_no from '[0-9]+$')::int) as invoice,
              max(batch_id)::int as batch
         from landing.order_lines`,
    );
    const next = await generate(db.pool, { customers: 40, seed: 21, start: '2011-12-10', days: 1 });
    expect(next).toMatchObject({ alreadyGenerated: false, firstCustomerId: Number(before.customer) + 1, firstInvoiceNo: Number(before.invoice) + 1 });
    const landed = await one(
      `select min(customer_id::bigint)::int as low, max(customer_id::bigint)::int as high,
              min(substring(invoice_no from '[0-9]+$')::int) as first_invoice,
              array_agg(distinct invoice_date::date::text) as days
         from landing.order_lines where batch_id = $1`,
      [next.batchId],
    );
    expect(landed).toEqual({ low: Number(before.customer) + 1, high: Number(before.customer) + 40, first_invoice: Number(before.invoice) + 1, days: ['2011-12-10'] });
    // no invoice of the new day is one of an earlier batch's (silver_invoice_has_one_customer would fail)
    const shared = await one(
      `select count(*)::int as n from (
         select invoice_no from landing.order_lines where batch_id = $1
         intersect
         select invoice_no from landing.order_lines where batch_id <= $2) as s`,
      [next.batchId, before.batch],
    );
    expect(shared).toEqual({ n: 0 });
    const archetypes = await one('select count(*)::int as n from landing.synthetic_archetypes where batch_id = $1', [next.batchId]);
    expect(archetypes).toEqual({ n: 40 });
    // the same options again add nothing, although the ids would now continue elsewhere
    expect(await generate(db.pool, { customers: 40, seed: 21, start: '2011-12-10', days: 1 })).toMatchObject({ alreadyGenerated: true, batchId: next.batchId });
    // a second day continues after the first
    const after = await generate(db.pool, { customers: 10, seed: 22, start: '2011-12-11', days: 1 });
    expect(after).toMatchObject({ firstCustomerId: Number(before.customer) + 41 });
    expect(after.firstInvoiceNo).toBeGreaterThan(next.firstInvoiceNo!);
  });

  it('--days and --months together are a usage error', async () => {
    await expect(generate(db.pool, { customers: 5, seed: 1, days: 1, months: 2 })).rejects.toThrow(/give --days or --months, not both/);
  });
});

describe('npm run generate', () => {
  const exec = promisify(execFile);
  it('writes a CSV with --out and rejects a bad option with a clear message', async () => {
    const file = join(scratch, 'cli.csv');
    const ok = await exec(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/cli/index.ts', 'generate', '--customers', '20', '--seed', '3', '--out', file], { cwd: ROOT });
    expect(ok.stderr).toMatch(/^wrote [\d,]+ lines for 20 customers to .*cli\.csv/);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country');
    const bad = await exec(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/cli/index.ts', 'generate', '--customers', '5', '--seed', '1', '--start', '2010-02-30'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2, stderr: '--start must be a date written YYYY-MM-DD, not "2010-02-30"\n' });
  });
});
