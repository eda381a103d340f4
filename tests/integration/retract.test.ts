import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { retractBatch } from '../../scripts/ingest/retract.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { expectIncrementalEqualsFullRefresh } from '../support/full-refresh.ts';
import { testTargetDir } from '../support/scratch.ts';

// Retracting a batch: batch A (history), batch B (a bad day), batch C (another day that repeats
// some of B's lines exactly, so they are duplicates while B counts). Retract B, build: B's lines
// leave silver and gold, C's copies become first occurrences, and the incremental result equals
// a full rebuild row for row.
const PROJECT = join(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

let dir: string;
let testDb: TestDatabase;
let db: Database;
const batch = { a: 0, b: 0, c: 0, d: 0 };

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.pool.query(sql, params)).rows[0] as T;
}

async function build(fullRefresh = false) {
  const outcome = await buildProject(db, PROJECT, { fullRefresh, threads: 2 });
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
  return outcome;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-retract-'));
  testDb = await createTestDatabase('retract');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

// compared row for row with a full refresh (every model that keeps history, and the gold tables
// built from them)
const COMPARED = ['model.stg_retail_order_lines', 'model.retail_line_counts', 'model.orders', 'model.customers', 'model.customer_features', 'model.customer_rfm', 'model.kpis', 'model.kpi_monthly', 'model.customer_clv_summary'];

async function publicOf(node: string): Promise<string> {
  return (await one<{ name: string }>(`select format('%I.%I', public_schema, public_name) as name from strata_meta.live where node_id = $1`, [node])).name;
}

async function checksums(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const node of COMPARED) {
    out[node] = (await one<{ sum: string }>(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) || ':' || count(*) as sum from ${await publicOf(node)} as t`)).sum;
  }
  return out;
}

/** The incremental rows, as their public views show them, kept aside and compared with the public views after --full-refresh. */
async function compareWithFullRefresh(): Promise<void> {
  await db.pool.query('create schema if not exists before_full_refresh');
  for (const node of COMPARED) await db.pool.query(`create table before_full_refresh."${node}" as table ${await publicOf(node)}`);
  await build(true);
  for (const node of COMPARED) {
    const [x, y] = [`before_full_refresh."${node}"`, await publicOf(node)];
    const diff = await one<{ n: number }>(
      `select count(*)::int as n from ((table ${x} except all table ${y}) union all (table ${y} except all table ${x})) as d`,
    );
    expect({ node, differing: diff.n }).toEqual({ node, differing: 0 });
  }
}

describe('npm run load -- --retract', () => {
  it('removes a batch\'s lines from silver and gold as an incremental change equal to a full rebuild, also after a rollback and a late batch', async () => {
    batch.a = (await generate(db.pool, { customers: 200, seed: 31 })).batchId;
    await build();
    batch.b = (await generate(db.pool, { customers: 30, seed: 32, start: '2011-12-01', days: 3 })).batchId;
    // batch C: 40 of B's purchase lines again, exactly (a file sent twice, in part)
    const repeated = await db.pool.query<{ line: string }>(
      `select concat_ws(',', invoice_no, stock_code, '"' || replace(description, '"', '""') || '"', quantity,
                        to_char(invoice_date, 'YYYY-MM-DD HH24:MI:SS'), unit_price, customer_id, country) as line
         from landing.order_lines
        where batch_id = $1 and customer_id is not null and quantity > 0 and unit_price > 0 and invoice_no ~ '^[0-9]+$'
          and stock_code not in ('POST', 'DOT', 'M', 'BANK CHARGES', 'C2', 'D')
        order by source_line limit 40`,
      [batch.b],
    );
    const file = join(dir, 'repeats.csv');
    await writeFile(file, ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country', ...repeated.rows.map((r) => r.line)].join('\n') + '\n');
    batch.c = (await loadFile(db.pool, { file })).batchId;
    await build();
    const before = await one<{ dups: number; b_purchases: number }>(
      `select count(*) filter (where batch_id = $1 and line_status = 'duplicate')::int as dups,
              count(*) filter (where batch_id = $2 and line_status = 'purchase')::int as b_purchases
         from silver.stg_retail_order_lines`,
      [batch.c, batch.b],
    );
    expect(before.dups).toBeGreaterThan(30); // C repeats B: duplicates while B counts (some of B's own lines repeat)
    expect(before.b_purchases).toBeGreaterThan(100);

    const retracted = await retractBatch(db.pool, { batchId: batch.b, by: 'tester', why: 'prices off by 100' });
    expect(retracted).toMatchObject({ status: 'retracted', retractedBy: 'tester', retractedWhy: 'prices off by 100', appliedInBuild: null });
    const incremental = await build();
    // an incremental change: staging wrote only B's lines (as retracted) and C's re-ranked copies
    const staged = incremental.report.nodes.find((n) => n.id === 'model.stg_retail_order_lines')!;
    const bLines = Number((await one<{ n: string }>('select count(*) as n from landing.order_lines where batch_id = $1', [batch.b])).n);
    expect(staged.rows).toBeLessThanOrEqual(bLines + 40);

    // B's lines vanish from silver and gold
    const gone = await one(
      `select (select count(*)::int from silver.order_lines where batch_id = $1) as order_lines,
              (select count(*)::int from silver.returns where batch_id = $1) as returns,
              (select count(*)::int from silver.stg_retail_order_lines where batch_id = $1 and line_status <> 'retracted') as staged_unretracted,
              (select count(*)::int from silver.orders where invoice_no in (select invoice_no from landing.order_lines where batch_id = $1)
                  and invoice_no not in (select invoice_no from landing.order_lines where batch_id = $2)) as orders,
              (select count(*)::int from silver.customers where customer_id in (select customer_id from landing.synthetic_archetypes where batch_id = $1)
                  and customer_id not in (select customer_id from landing.order_lines where batch_id = $2)) as customers,
              (select count(*)::int from gold.customer_features where customer_id in (select customer_id from landing.synthetic_archetypes where batch_id = $1)
                  and customer_id not in (select customer_id from landing.order_lines where batch_id = $2)) as gold_customers`,
      [batch.b, batch.c],
    );
    expect(gone).toEqual({ order_lines: 0, returns: 0, staged_unretracted: 0, orders: 0, customers: 0, gold_customers: 0 });
    // B's customers who are also in C stay, with C's lines only
    const kept = await one<{ n: number; c_only: boolean }>(
      `select count(*)::int as n, bool_and(c.revenue = (select sum(line_amount) from silver.order_lines l where l.customer_id = c.customer_id and l.batch_id = $2)) as c_only
         from silver.customers as c where c.customer_id in (select customer_id from landing.synthetic_archetypes where batch_id = $1)`,
      [batch.b, batch.c],
    );
    expect(kept.n).toBeGreaterThan(0);
    expect(kept.c_only).toBe(true);
    // C's copies count now: the first of each content is no longer a duplicate
    const after = await one<{ dups: number }>(
      `select count(*) filter (where line_status = 'duplicate')::int as dups from silver.stg_retail_order_lines where batch_id = $1`,
      [batch.c],
    );
    expect(after.dups).toBeLessThan(before.dups);
    const gold = await one<{ customers: number; revenue: string }>('select customers::int, revenue::text from gold.kpis');
    const silver = await one<{ customers: number; revenue: string }>('select count(*)::int as customers, sum(revenue)::text as revenue from silver.customers');
    expect(gold).toEqual(silver);
    // recorded in strata_meta
    const applied = await one('select build_id::int as build_id from strata_meta.applied_retractions where batch_id = $1', [batch.b]);
    expect(applied).toEqual({ build_id: incremental.report.buildId });

    const afterRetraction = await checksums();

    // rollback to the build before the retraction: B's lines are back; the next build removes
    // them again (the retraction is pending again), as a full rebuild would
    const compiled = await compileSelection({ projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
    expect(await runRollback(compiled, db, () => {})).toBe(0);
    expect((await one<{ n: number }>('select count(*)::int as n from silver.order_lines where batch_id = $1', [batch.b])).n).toBeGreaterThan(100);
    await build();
    expect(await checksums()).toEqual(afterRetraction);

    // then a late batch with orders in the middle of the history (June 2011): kpi_monthly
    // recomputes the months from June on and keeps the earlier ones
    batch.d = (await generate(db.pool, { customers: 20, seed: 33, start: '2011-06-10', days: 2 })).batchId;
    const late = await build();
    const kpiRows = late.report.nodes.find((n) => n.id === 'model.kpi_monthly')!.rows;
    const months = (await one<{ n: number }>('select count(*)::int as n from gold.kpi_monthly')).n;
    expect(kpiRows).toBeGreaterThan(0);
    expect(kpiRows).toBeLessThan(months);
    await compareWithFullRefresh();
    // seven builds of a 230-customer project: minutes on a shared 2-core machine
  }, 600_000);

  it('refuses to retract a batch twice or one that does not exist (exit 2), and --list shows who and why', async () => {
    const run = (args: string[]) =>
      exec(join(PROJECT, 'node_modules/.bin/tsx'), ['scripts/cli/index.ts', 'load', ...args], { cwd: PROJECT, env: { ...process.env, DATABASE_URL: testDb.url } })
        .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
        .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const twice = await run(['--retract', String(batch.b), '--why', 'again']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(new RegExp(`batch ${batch.b} is already retracted \\(by tester at .*: prices off by 100\\)`));
    const unknown = await run(['--retract', '999999', '--why', 'no such batch']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toMatch(/batch 999999 does not exist \(batches are \d+–\d+; see npm run load -- --list\)/);
    const noWhy = await run(['--retract', String(batch.a)]);
    expect(noWhy).toMatchObject({ code: 2 });
    expect(noWhy.stderr).toMatch(/--retract needs --why/);
    const listed = await run(['--list']);
    expect(listed.code).toBe(0);
    const bLine = listed.stdout.split('\n').find((l) => l.startsWith(`${batch.b} `));
    expect(bLine).toMatch(/retracted .* tester at .*: prices off by 100$/);
    expect(listed.stdout.split('\n')[0]).toMatch(/^batch\s+status\s+lines\s+quarantined/);
    const byName = await run(['--retract', String(batch.c), '--why', 'test', '--by', 'ops-team']);
    expect(byName.code).toBe(0);
    expect(byName.stderr).toMatch(new RegExp(`retracted batch ${batch.c} .* by ops-team: test`));
  });

  it('a line without an invoice number that repeated a retracted one counts as the first now (incomplete, not duplicate)', async () => {
    const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
    const orphan = ',85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-12-20 08:26:00,2.55,17850,United Kingdom';
    const file = async (name: string, lines: string[]): Promise<number> => {
      await writeFile(join(dir, name), [header, ...lines].join('\n') + '\n');
      const loaded = await loadFile(db.pool, { file: join(dir, name) });
      expect(loaded.linesRejected, name).toBe(0);
      return loaded.batchId;
    };
    const first = await file('orphan-1.csv', [orphan, '581600,22423,REGENCY CAKESTAND 3 TIER,2,2011-12-20 08:26:00,12.75,17850,United Kingdom']);
    await build();
    const second = await file('orphan-2.csv', [orphan]);
    await build();
    const status = async () =>
      (await one<{ s: string }>(`select line_status as s from silver.stg_retail_order_lines where batch_id = $1`, [second])).s;
    expect(await status()).toBe('duplicate');
    await retractBatch(db.pool, { batchId: first, by: 'tester', why: 'sent twice' });
    await build();
    expect(await status()).toBe('incomplete');
    await expectIncrementalEqualsFullRefresh(db, PROJECT, { 'model.stg_retail_order_lines': '*', 'model.retail_line_counts': '*', 'model.orders': '*', 'model.customers': '*' }, { threads: 2 });
  }, 600_000);

  it('a retracted copy of an earlier line: the earlier line stays first, and a copy loaded in the same build is a duplicate', async () => {
    // lines of batch A (the first occurrences of their content) sent again in E, retracted, while
    // F sends them once more: A's lines are ranked again with F's (staging's re-ranked lines) and
    // must find neither themselves nor each other as "earlier"
    const copies = await db.pool.query<{ line: string }>(
      `select concat_ws(',', invoice_no, stock_code, '"' || replace(description, '"', '""') || '"', quantity,
                        to_char(invoice_date, 'YYYY-MM-DD HH24:MI:SS'), unit_price, customer_id, country) as line
         from landing.order_lines
        where batch_id = $1 and customer_id is not null and quantity > 0 and unit_price > 0 and invoice_no ~ '^[0-9]+$'
        order by source_line limit 25`,
      [batch.a],
    );
    const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
    const load = async (name: string): Promise<number> => {
      await writeFile(join(dir, name), [header, ...copies.rows.map((r) => r.line)].join('\n') + '\n');
      return (await loadFile(db.pool, { file: join(dir, name) })).batchId;
    };
    const statuses = async (batchId: number): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await db.pool.query<{ s: string; n: number }>(
          `select line_status as s, count(*)::int as n from silver.stg_retail_order_lines where batch_id = $1 and source_line <= 26 group by 1`,
          [batchId],
        )).rows.map((r) => [r.s, r.n]),
      );
    const aBefore = await statuses(batch.a);
    const e = await load('copies-e.csv');
    await build();
    expect(await statuses(e)).toEqual({ duplicate: 25 });
    await retractBatch(db.pool, { batchId: e, by: 'tester', why: 'sent twice' });
    const f = await load('copies-f.csv');
    await build();
    expect(await statuses(e)).toEqual({ retracted: 25 });
    expect(await statuses(f)).toEqual({ duplicate: 25 });
    expect(await statuses(batch.a)).toEqual(aBefore);
    await expectIncrementalEqualsFullRefresh(db, PROJECT, { 'model.stg_retail_order_lines': '*', 'model.retail_line_counts': '*', 'model.orders': '*', 'model.customers': '*' }, { threads: 2 });
  }, 600_000);
});
