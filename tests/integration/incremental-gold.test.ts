import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { expectIncrementalEqualsFullRefresh } from '../support/full-refresh.ts';

// kpi_monthly adds each changed customer's contributions now minus before to the kept months
// (models/gold/kpi_monthly.sql), and customer_clv_summary recomputes only the changed customers
// while no as-of day moves. Every kind of batch that exercises a different part of these is
// built incrementally and compared row for row with a full refresh of the same data:
//   1. new customers with whole histories (every month changes: the bench's hard case);
//   2. existing customers buying again in the middle of the history, the as-of time unchanged
//      (distinct counts: a customer already counted in a month must not count twice; some
//      customers' first purchase moves earlier);
//   3. existing customers buying the day after the last purchase (the as-of time moves: the
//      months from its month on are recomputed);
//   4. a line of an existing order dated earlier than its other lines (the order leaves its
//      month for an earlier one: that month's newest batch is read again);
//   5. no new data but other vars for customer_clv_summary (holdout, time unit).
const PROJECT = join(import.meta.dirname, '..', '..');
// the models and what they read; customer_features gives the as-of time
const SELECT = ['+kpi_monthly', '+customer_clv_summary'];
const COMPARED = { 'model.kpi_monthly': '*', 'model.customer_clv_summary': '*', 'model.orders': '*' };
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

let dir: string;
let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-incremental-gold-'));
  testDb = await createTestDatabase('incremental_gold');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.pool.query(sql, params)).rows[0] as T;
}

async function build(vars: Record<string, unknown> = {}) {
  const outcome = await buildProject(db, PROJECT, { select: SELECT, threads: 2, vars });
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
  return outcome;
}

async function expectEqualToFullRefresh(vars: Record<string, unknown> = {}): Promise<void> {
  await expectIncrementalEqualsFullRefresh(db, PROJECT, COMPARED, { select: SELECT, threads: 2, vars });
}

/**
 * Loads a CSV of `rows` (each a landed line written back as the file would have it, with the
 * invoice number and date given by SQL expressions over landing.order_lines as `l`).
 */
async function loadLines(name: string, select: string, params: unknown[] = []): Promise<number> {
  const rows = await db.pool.query<{ line: string }>(
    `select concat_ws(',', invoice_no, stock_code, '"' || replace(description, '"', '""') || '"', quantity,
                      to_char(invoice_date, 'YYYY-MM-DD HH24:MI:SS'), unit_price, customer_id, country) as line
       from (${select}) as l`,
    params,
  );
  expect(rows.rows.length).toBeGreaterThan(0);
  const file = join(dir, `${name}.csv`);
  await writeFile(file, [HEADER, ...rows.rows.map((r) => r.line)].join('\n') + '\n');
  return (await loadFile(db.pool, { file })).batchId;
}

/** The first purchase invoice of each of `customers` existing customers, as a new invoice at `date`. */
function againSql(customers: number, firstInvoice: number, date: string): string {
  return `
    select (${firstInvoice} + dense_rank() over (order by customer_id))::text as invoice_no, stock_code, description, quantity,
           ${date} as invoice_date, unit_price, customer_id, country
      from landing.order_lines
     where invoice_no in (
             select distinct on (customer_id) invoice_no from landing.order_lines
              where customer_id is not null and quantity > 0 and unit_price > 0 and invoice_no ~ '^[0-9]+$'
                and stock_code not in ('POST', 'DOT', 'M', 'BANK CHARGES', 'C2', 'D')
              -- each customer's last invoice
              order by customer_id, invoice_date desc)
       and customer_id in (select distinct customer_id from landing.order_lines where customer_id is not null
                            order by customer_id limit ${customers})
       and quantity > 0 and unit_price > 0`;
}

describe('kpi_monthly and customer_clv_summary, incremental', () => {
  it('equals a full refresh after new whole histories, repeat purchases mid-history and the next day, and an order that moves month', async () => {
    await generate(db.pool, { customers: 120, seed: 51 });
    await build();
    const months = (await one<{ n: number }>('select count(*)::int as n from gold.kpi_monthly')).n;
    expect(months).toBeGreaterThan(10);

    // 1. new customers with whole histories: every month changes
    await generate(db.pool, { customers: 12, seed: 52 });
    await build();
    await expectEqualToFullRefresh();

    // 2. existing customers buy again in June 2011; the as-of time stays where it is
    const asOf = (await one<{ t: string }>('select max(period_end)::text as t from gold.kpi_monthly')).t;
    await loadLines('june', againSql(40, 7_000_000, `timestamp '2011-06-15 10:00:00'`));
    await build();
    expect((await one<{ t: string }>('select max(period_end)::text as t from gold.kpi_monthly')).t).toBe(asOf);
    // some of them first bought after June: their first purchase (new_customers) moved earlier
    await expectEqualToFullRefresh();

    // 3. the day after the last purchase: the as-of time moves
    await loadLines('next-day', againSql(25, 7_100_000, `(select max(invoice_date) from landing.order_lines) + interval '1 day'`));
    await build();
    expect((await one<{ t: string }>('select max(period_end)::text as t from gold.kpi_monthly')).t).not.toBe(asOf);
    await expectEqualToFullRefresh();

    // 4. one customer's order in August, alone in its batch, so it is the newest batch of
    //    August; then a line of it dated in March: it moves to March, and August's newest batch
    //    is an older one again
    const movedInvoice = '7200001';
    await loadLines('august', againSql(1, 7_200_000, `timestamp '2011-08-20 11:00:00'`));
    await build();
    await loadLines(
      'moved',
      `select invoice_no, 'MOVED1' as stock_code, 'A LINE DATED EARLIER' as description, 2 as quantity,
              timestamp '2011-03-02 09:00:00' as invoice_date, 1.25 as unit_price, customer_id, country
         from landing.order_lines where invoice_no = $1 limit 1`,
      [movedInvoice],
    );
    await build();
    const moved = await one<{ ordered_at: string }>(`select ordered_at::text from silver.orders where invoice_no = $1`, [movedInvoice]);
    expect(moved.ordered_at).toBe('2011-03-02 09:00:00');
    await expectEqualToFullRefresh();

    // 5. no new data, other vars: customer_clv_summary's holdout, then its time unit, change for
    //    every customer
    await build({ clv_holdout_weeks: 8 });
    await expectEqualToFullRefresh({ clv_holdout_weeks: 8 });
    await build({ clv_holdout_weeks: 8, clv_time_unit: 'day' });
    await expectEqualToFullRefresh({ clv_holdout_weeks: 8, clv_time_unit: 'day' });
  }, 900_000);
});
