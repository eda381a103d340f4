import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../scripts/core/errors.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/ingest/${name}`, import.meta.url));
const MESSY = fixture('messy-online-retail.csv');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let db: TestDatabase;
let scratch: string;
beforeAll(async () => {
  db = await createTestDatabase('ingest_load');
  await runMigrations(db.pool);
  scratch = await mkdtemp(join(tmpdir(), 'strata-ingest-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(scratch, { recursive: true, force: true });
});

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(sql, params)).rows as T[];
}

describe('loading a messy Online Retail file', () => {
  it('lands every good row, quarantines each bad one with its line and reason', async () => {
    const result = await loadFile(db.pool, { file: MESSY });
    expect(result).toMatchObject({ linesRead: 16, linesLoaded: 10, linesRejected: 6, alreadyLoaded: false });

    const bad = await rows<{ source_line: string; reason: string; column_name: string | null; value: string | null }>(
      'select source_line, reason, column_name, value from landing.quarantine where batch_id = $1 order by source_line',
      [result.batchId],
    );
    expect(bad.map((b) => [Number(b.source_line), b.reason, b.column_name])).toEqual([
      [6, 'wrong column count', null],
      [7, 'bad number', 'Quantity'],
      [8, 'bad date', 'InvoiceDate'],
      [9, 'bad encoding', 'Description'],
      [17, 'malformed quoting', null],
      [18, 'bad number', 'UnitPrice'],
    ]);
    expect(bad.map((b) => b.value)).toEqual([
      '9 fields, the header has 8',
      'six',
      '2010-13-01 08:34:00',
      'JAM MAKING SET WITH JARS \uFFFD\uFFFD',
      expect.stringContaining('Invalid Closing Quote'),
      '1.2.3',
    ]);
    const raw = await rows<{ raw_text: string; source_file: string }>(
      'select raw_text, source_file from landing.quarantine where batch_id = $1 and source_line = 6',
      [result.batchId],
    );
    expect(raw[0]).toEqual({
      raw_text: '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047,United Kingdom,EXTRA',
      source_file: MESSY,
    });

    const landed = await rows<{ line: number } & Record<string, unknown>>(
      `select source_line::int as line, invoice_no, stock_code, description, quantity, invoice_date::text as invoice_date,
              unit_price::text as unit_price, customer_id, country, line_total, source_file
         from landing.order_lines where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    expect(landed.map((r) => r.line)).toEqual([2, 3, 4, 11, 12, 13, 14, 15, 16, 19]);
    const byLine = new Map(landed.map((r) => [r.line, r]));
    // BOM gone from the header, CRLF line ends gone from the values
    expect(byLine.get(2)).toMatchObject({
      invoice_no: '536365',
      description: 'WHITE HANGING HEART T-LIGHT HOLDER',
      quantity: 6,
      invoice_date: '2010-12-01 08:26:00',
      unit_price: '2.5500',
      customer_id: '17850',
      country: 'United Kingdom',
      line_total: null,
      source_file: MESSY,
    });
    // quoted comma, US date form, float-typed customer id
    expect(byLine.get(3)).toMatchObject({ description: 'WHITE METAL LANTERN, LARGE', invoice_date: '2010-12-01 08:26:00', customer_id: '17850' });
    // a line break inside quotes is kept as written (CRLF here)
    expect(byLine.get(4)!.description).toBe('HAND WARMER\r\nUNION JACK');
    expect(byLine.get(11)!.description).toBe('BATH BUILDING BLOCK WORD "HOME"');
    expect(byLine.get(12)).toMatchObject({ invoice_no: 'C536379', quantity: -1 });
    // text kept exactly: leading spaces, a tab, a backslash; an empty customer is NULL
    expect(byLine.get(14)).toMatchObject({ description: "  PAPER CHAIN KIT\t50'S CHRISTMAS \\ ", customer_id: null });
    expect(byLine.get(19)!.invoice_date).toBe('2010-12-01 00:00:00');
    // the invoice key the loader writes (Citus distributes landing by it) is staging's trim of
    // the invoice, computed here by PostgreSQL itself as migration 13 backfilled it
    const keys = await rows<{ differ: number; keyed: number }>(
      `select count(*) filter (where invoice_key is distinct from coalesce(btrim(invoice_no, e' \\t\\r\\n'), ''))::int as differ,
              count(*)::int as keyed
         from landing.order_lines where batch_id = $1`,
      [result.batchId],
    );
    expect(keys[0]).toEqual({ differ: 0, keyed: 10 });

    const batch = await rows<Record<string, string>>('select * from landing.load_batches where batch_id = $1', [result.batchId]);
    expect(batch[0]).toMatchObject({ status: 'loaded', format: 'online_retail', lines_read: '16', lines_loaded: '10', lines_rejected: '6' });
    expect(batch[0]!.file_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('analyses the landing tables it wrote, so the planner knows the new batch', async () => {
    const second = join(scratch, 'second.csv');
    await writeFile(second, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
      Array.from({ length: 50 }, (_, i) => `590${i},85123A,MUG,${i + 1},2011-12-01 08:00:00,1.5,17850,United Kingdom`).join('\n') + '\n');
    const result = await loadFile(db.pool, { file: second });
    // the batch's value is in the column's statistics right after the load (no autovacuum in between)
    const [stats] = await rows<{ values: string | null; changed: string }>(
      `select coalesce(s.most_common_vals::text, '') || ' ' || coalesce(s.histogram_bounds::text, '') as values, t.n_mod_since_analyze as changed
         from pg_stats s join pg_stat_user_tables t on t.schemaname = s.schemaname and t.relname = s.tablename
        where s.schemaname = 'landing' and s.tablename = 'order_lines' and s.attname = 'batch_id'`,
    );
    expect(stats!.values).toMatch(new RegExp(`\\b${result.batchId}\\b`));
    expect(Number(stats!.changed)).toBe(0);
  });

  it('summarises the block ranges it wrote in the batch_id BRIN index, so a look-up by batch reads only that batch', async () => {
    // about 4 ranges of 128 pages: enough that an unsummarised index would send a look-up through all of them
    const big = join(scratch, 'big.csv');
    await writeFile(big, 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
      Array.from({ length: 30_000 }, (_, i) => `6${i},85123A,WHITE HANGING HEART T-LIGHT HOLDER,${(i % 9) + 1},2011-12-02 08:00:00,2.55,17850,United Kingdom`).join('\n') + '\n');
    const result = await loadFile(db.pool, { file: big });
    const heapBlocks = async (condition: string): Promise<number> => {
      const [plan] = await rows<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
        `explain (analyze, format json) select count(*) from landing.order_lines where ${condition}`,
      );
      const blocks = (node: Record<string, unknown>): number =>
        Number(node['Exact Heap Blocks'] ?? 0) + Number(node['Lossy Heap Blocks'] ?? 0) +
        ((node.Plans as Record<string, unknown>[] | undefined) ?? []).reduce((n, child) => n + blocks(child), 0);
      return blocks(plan!['QUERY PLAN'][0].Plan);
    };
    const [{ pages }] = (await rows<{ pages: number }>(`select relpages as pages from pg_class where oid = 'landing.order_lines'::regclass`)) as [{ pages: number }];
    expect(pages).toBeGreaterThan(3 * 128);
    // nothing after the newest batch: no block is read (unsummarised, every block was)
    expect(await heapBlocks(`batch_id > ${result.batchId}`)).toBe(0);
    // the batch itself: its own blocks, and at most the range it shares with the batch before
    expect(await heapBlocks(`batch_id = ${result.batchId}`)).toBeLessThanOrEqual(pages);
    expect(await heapBlocks(`batch_id < ${result.batchId}`)).toBeLessThanOrEqual(128);
  });

  it('adds nothing when the same file is loaded again, and names the batch that has it', async () => {
    const before = await rows<{ n: number }>('select count(*)::int as n from landing.order_lines');
    const first = await rows<{ batch_id: string }>(`select batch_id from landing.load_batches where source_file = $1`, [MESSY]);
    const again = await loadFile(db.pool, { file: MESSY });
    expect(again).toMatchObject({ alreadyLoaded: true, batchId: Number(first[0]!.batch_id), linesLoaded: 0 });
    const after = await rows<{ n: number }>('select count(*)::int as n from landing.order_lines');
    expect(after[0]!.n).toBe(before[0]!.n);
    const quarantined = await rows<{ n: number }>('select count(*)::int as n from landing.quarantine');
    expect(quarantined[0]!.n).toBe(6);
  });
});

describe('the orders layout', () => {
  it('is detected from its header', async () => {
    const result = await loadFile(db.pool, { file: fixture('orders.csv') });
    expect(result).toMatchObject({ linesLoaded: 3, linesRejected: 0 });
    const landed = await rows<Record<string, unknown>>(
      `select invoice_no, stock_code, customer_id, description, invoice_date::text as d from landing.order_lines where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    expect(landed[2]).toEqual({ invoice_no: '536367', stock_code: '84879', customer_id: '13047', description: 'ASSORTED COLOUR BIRD ORNAMENT', d: '2010-12-01 08:34:00' });
    const batch = await rows<{ format: string }>('select format from landing.load_batches where batch_id = $1', [result.batchId]);
    expect(batch[0]!.format).toBe('orders');
  });

  it('reads a company\'s own column names through --map, with an order total for quantity × price', async () => {
    const result = await loadFile(db.pool, {
      file: fixture('orders-own-names.csv'),
      map: { customer_id: 'ClientNumber', order_id: 'OrderRef', order_date: 'OrderDate', product_id: 'Sku', quantity: 'Qty', line_total: 'Total', country: 'Region' },
    });
    expect(result).toMatchObject({ linesRead: 4, linesLoaded: 3, linesRejected: 1 });
    const landed = await rows<Record<string, unknown>>(
      `select customer_id, invoice_no, quantity, unit_price, line_total::text as total, country from landing.order_lines where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    expect(landed).toEqual([
      { customer_id: 'C-001', invoice_no: 'SO-1001', quantity: 2, unit_price: null, total: '19.9800', country: 'Norway' },
      { customer_id: 'C-001', invoice_no: 'SO-1001', quantity: 1, unit_price: null, total: '5.0000', country: 'Norway' },
      { customer_id: 'C-002', invoice_no: 'SO-1002', quantity: null, unit_price: null, total: '120.5000', country: 'Sweden' },
    ]);
    const bad = await rows<Record<string, unknown>>('select source_line::int as line, reason, column_name, value from landing.quarantine where batch_id = $1', [result.batchId]);
    expect(bad).toEqual([{ line: 5, reason: 'bad number', column_name: 'Total', value: 'not-a-number' }]);
  });
});

describe('errors a user can act on, before anything is written', () => {
  it('missing file, unknown format, mapping to a column the file lacks', async () => {
    const batches = async (): Promise<number> => (await rows<{ n: number }>('select count(*)::int as n from landing.load_batches'))[0]!.n;
    const before = await batches();
    await expect(loadFile(db.pool, { file: join(scratch, 'nope.csv') })).rejects.toThrow(InputError);
    await expect(loadFile(db.pool, { file: join(scratch, 'nope.csv') })).rejects.toThrow(`${join(scratch, 'nope.csv')}: no such file`);
    await expect(loadFile(db.pool, { file: MESSY, format: 'excel' })).rejects.toThrow(UsageError);
    await expect(loadFile(db.pool, { file: MESSY, format: 'excel' })).rejects.toThrow('unknown format "excel"; the formats are online_retail, orders');
    await expect(loadFile(db.pool, { file: MESSY, map: { customer_id: 'ClientNumber' } })).rejects.toThrow(
      '--map customer_id=ClientNumber: the file has no column "ClientNumber"; the file\'s header columns are: "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"',
    );
    await expect(loadFile(db.pool, { file: fixture('orders.csv'), format: 'online_retail' })).rejects.toThrow(
      /the online_retail format needs a column for order_id \(looked for "InvoiceNo"\)/,
    );
    const empty = join(scratch, 'empty.csv');
    await writeFile(empty, '');
    await expect(loadFile(db.pool, { file: empty })).rejects.toThrow('the file is empty');
    expect(await batches()).toBe(before);
  });

  it('a load the server refuses leaves only a failed batch row behind', async () => {
    const file = join(scratch, 'refused.csv');
    await writeFile(file, 'customer_id,order_id,order_date,product_id,quantity,unit_price\n1,A1,2024-01-01,P,5,1.00\n2,A2,2024-01-02,P,5000,1.00\n');
    // a rule this database has and the loader does not know about
    await db.pool.query('alter table landing.order_lines add constraint test_small_quantity check (quantity < 1000)');
    try {
      // named by the line of the file (3), not the row of the COPY (2)
      await expect(loadFile(db.pool, { file })).rejects.toThrow(
        /refused\.csv:3: PostgreSQL refused this line for landing\.order_lines: .*test_small_quantity.*\(recorded as failed batch \d+\)/,
      );
    } finally {
      await db.pool.query('alter table landing.order_lines drop constraint test_small_quantity');
    }
    const batches = await rows<{ status: string; n: number }>(
      `select b.status, (select count(*)::int from landing.order_lines l where l.batch_id = b.batch_id) as n
         from landing.load_batches b where b.source_file = $1`,
      [file],
    );
    expect(batches).toEqual([{ status: 'failed', n: 0 }]);
    // and a failed batch does not stop the file from loading later
    const retry = await loadFile(db.pool, { file });
    expect(retry).toMatchObject({ alreadyLoaded: false, linesLoaded: 2 });
  });
});

describe('a file that breaks off', () => {
  it('a gzip cut short fails as the file\'s error, leaving only a failed batch row', async () => {
    const whole = gzipSync(Buffer.from('customer_id,order_id,order_date,product_id,quantity,unit_price\n' + '1,A1,2024-01-01,P,5,1.00\n'.repeat(20_000)));
    const file = join(scratch, 'cut.csv.gz');
    await writeFile(file, whole.subarray(0, whole.length - 40));
    await expect(loadFile(db.pool, { file })).rejects.toThrow(InputError);
    const batches = await rows<{ status: string; n: number }>(
      `select b.status, (select count(*)::int from landing.order_lines l where l.batch_id = b.batch_id) as n
         from landing.load_batches b where b.source_file = $1`,
      [file],
    );
    expect(batches).toEqual([{ status: 'failed', n: 0 }]);
    await expect(loadFile(db.pool, { file })).rejects.toThrow(/cut\.csv\.gz: cannot read: unexpected end of file \(recorded as failed batch \d+\)/);
  });
});

describe('npm run load', () => {
  const exec = promisify(execFile);
  const cli = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      // as `npm run load` runs it (package.json)
      const { stderr } = await exec(process.execPath, ['scripts/cli/start.mjs', 'load', ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url },
      });
      return { code: 0, stderr };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  };

  it('prints clear errors without a stack trace, and says when a file is already loaded', async () => {
    const missing = await cli(join(scratch, 'missing.csv'));
    expect(missing).toEqual({ code: 1, stderr: `${join(scratch, 'missing.csv')}: no such file\n` });
    const format = await cli(MESSY, '--format', 'xlsx');
    expect(format).toEqual({ code: 2, stderr: 'unknown format "xlsx"; the formats are online_retail, orders, airline_members, airline_flight_activity\n' });
    const mapping = await cli(MESSY, '--map', 'customer_id=Client');
    expect(mapping.code).toBe(1);
    expect(mapping.stderr).toContain('the file\'s header columns are: "InvoiceNo"');
    expect(mapping.stderr).not.toMatch(/\n\s+at /);
    const again = await cli(MESSY);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/is already loaded as batch \d+: nothing added/);
  });
});
