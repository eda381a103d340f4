import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { retractBatch } from '../../scripts/ingest/retract.ts';
import { buildProject, openTestProjectDb, whyNot, type BuildOptions } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { expectIncrementalEqualsFullRefresh } from '../support/full-refresh.ts';

// Retracting an airline activity file (npm run load -- --retract): the next build writes its rows
// again as 'retracted' in stg_airline_flight_activity, ranks the other rows with the same content
// again (an exact duplicate of a withdrawn row becomes the first occurrence), and removes the
// member-months it alone held from orders and the members it alone held from customers, as a
// full rebuild of the same data would.
const PROJECT = join(import.meta.dirname, '..', '..');
const BUILD: BuildOptions = { select: ['+orders', '+customers', '+staged_row_counts'] };
const MEMBERS = [
  'Loyalty Number,Country,Province,City,Postal Code,Gender,Education,Salary,Marital Status,Loyalty Card,CLV,Enrollment Type,Enrollment Year,Enrollment Month,Cancellation Year,Cancellation Month',
  '100001,Canada,Ontario,Toronto,M2Z 4K1,Female,Bachelor,83236,Married,Star,3839.14,Standard,2016,2,,',
  '100002,Canada,Quebec,Montreal,H2T 9K8,Male,College,61000,Single,Nova,4100.50,Standard,2016,5,,',
  '100003,Canada,Alberta,Calgary,T3G 6Y6,Female,Master,92000,Married,Aurora,7200.00,Standard,2017,1,,',
].join('\r\n');
const ACTIVITY = 'Loyalty Number,Year,Month,Total Flights,Distance,Points Accumulated,Points Redeemed,Dollar Cost Points Redeemed';
// the first file: member 100001's June (repeated exactly in the second file), member 100002's
// only flights, and a month of 100003 that the second file does not repeat
const FIRST = [ACTIVITY, '100001,2018,6,4,5000,7500,0,0', '100002,2018,6,2,2400,3600,0,0', '100003,2018,5,1,900,1350,0,0'].join('\r\n');
const SECOND = [ACTIVITY, '100001,2018,6,4,5000,7500,0,0', '100001,2018,7,3,4200,6300,0,0', '100003,2018,7,2,1800,2700,0,0'].join('\r\n');

let testDb: TestDatabase;
let db: Database;
let dir: string;

async function load(name: string, text: string): Promise<number> {
  await writeFile(join(dir, name), `\uFEFF${text}\r\n`);
  const result = await loadFile(db.pool, { file: join(dir, name) });
  expect(result.linesRejected, name).toBe(0);
  return result.batchId;
}

async function build(): Promise<void> {
  const outcome = await buildProject(db, PROJECT, BUILD);
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-airline-retract-'));
  testDb = await createTestDatabase('airline_retract');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('retracting an airline activity file', () => {
  it('load, build, load, build, retract, build: the repeat takes over, the rest leaves, equal to a full refresh', async () => {
    await load('Customer Loyalty History.csv', MEMBERS);
    const first = await load('Customer Flight Activity 1.csv', FIRST);
    await build();
    await load('Customer Flight Activity 2.csv', SECOND);
    await build();
    const statuses = async () =>
      (
        await db.pool.query(
          `select source_line::int as line, batch_id = $1 as first, line_status from silver.stg_airline_flight_activity order by batch_id, source_line`,
          [first],
        )
      ).rows;
    expect(await statuses()).toEqual([
      { line: 2, first: true, line_status: 'purchase' },
      { line: 3, first: true, line_status: 'purchase' },
      { line: 4, first: true, line_status: 'purchase' },
      { line: 2, first: false, line_status: 'duplicate' },
      { line: 3, first: false, line_status: 'purchase' },
      { line: 4, first: false, line_status: 'purchase' },
    ]);

    await retractBatch(db.pool, { batchId: first, by: 'tester', why: 'double-counted export' });
    await build();
    expect(await statuses()).toEqual([
      { line: 2, first: true, line_status: 'retracted' },
      { line: 3, first: true, line_status: 'retracted' },
      { line: 4, first: true, line_status: 'retracted' },
      { line: 2, first: false, line_status: 'purchase' },
      { line: 3, first: false, line_status: 'purchase' },
      { line: 4, first: false, line_status: 'purchase' },
    ]);
    const orders = await db.pool.query(`select invoice_no, items::int as flights, order_amount::float8 as km from silver.orders order by invoice_no`);
    expect(orders.rows).toEqual([
      { invoice_no: 'airline-100001-2018-06', flights: 4, km: 5000 },
      { invoice_no: 'airline-100001-2018-07', flights: 3, km: 4200 },
      { invoice_no: 'airline-100003-2018-07', flights: 2, km: 1800 },
    ]);
    const customers = await db.pool.query(`select customer_id from silver.customers order by customer_id`);
    expect(customers.rows).toEqual([{ customer_id: 'airline-100001' }, { customer_id: 'airline-100003' }]);

    await expectIncrementalEqualsFullRefresh(
      db,
      PROJECT,
      { 'model.stg_airline_flight_activity': '*', 'model.staged_row_counts': '*', 'model.orders': '*', 'model.customers': '*' },
      BUILD,
    );
  }, 300_000);
});

describe('a members file exported again with a changed profile', () => {
  // a database of its own; load() and build() use `db`, given back to the first describe's afterAll
  let profileDb: TestDatabase;
  let outer: Database;
  beforeAll(async () => {
    outer = db;
    profileDb = await createTestDatabase('airline_profile');
    db = await openTestProjectDb(profileDb.url, PROJECT);
  });
  afterAll(async () => {
    await db?.close();
    await profileDb?.drop();
    db = outer;
  });

  it("moves the member's orders and customer row to the new country, equal to a full refresh", async () => {
    await load('members-1.csv', MEMBERS);
    await load('activity-1.csv', FIRST);
    await build();
    // the same members, 100002 now living in the United States; no new activity
    await load('members-2.csv', MEMBERS.replace('100002,Canada,Quebec,Montreal,H2T 9K8', '100002,United States,New York,New York,10001'));
    await build();
    const countries = async (sql: string) => (await db.pool.query(sql)).rows;
    expect(await countries(`select invoice_no, country from silver.orders where customer_id = 'airline-100002'`)).toEqual([
      { invoice_no: 'airline-100002-2018-06', country: 'United States' },
    ]);
    expect(await countries(`select country from silver.customers where customer_id = 'airline-100002'`)).toEqual([{ country: 'United States' }]);
    await expectIncrementalEqualsFullRefresh(db, PROJECT, { 'model.orders': '*', 'model.customers': '*' }, BUILD);
  }, 300_000);
});

describe('the repeated member-months of silver.staged_row_counts, per batch', () => {
  let countsDb: TestDatabase;
  let outer: Database;
  beforeAll(async () => {
    outer = db;
    countsDb = await createTestDatabase('airline_counts');
    db = await openTestProjectDb(countsDb.url, PROJECT);
  });
  afterAll(async () => {
    await db?.close();
    await countsDb?.drop();
    db = outer;
  });

  const COUNTS: BuildOptions = { select: ['+staged_row_counts', '+data_quality_counts'] };
  const buildCounts = async (): Promise<void> => {
    const outcome = await buildProject(db, PROJECT, COUNTS);
    expect(outcome.exitCode, whyNot(outcome)).toBe(0);
  };

  it('count the rows beyond each member-month\'s first in the batch that holds them, and move when a retraction moves the first', async () => {
    // per batch, as counted; and in all, the rule's own definition over the staged rows
    const noted = async () =>
      (await db.pool.query(
        `select batch_id::int as batch, rows::int from silver.staged_row_counts where step = 'noted' order by batch_id`,
      )).rows;
    const direct = async () =>
      Number((await db.pool.query(
        `select count(*) - count(distinct (loyalty_number, period_start)) as n from silver.stg_airline_flight_activity
          where line_status not in ('duplicate', 'retracted', 'incomplete')`,
      )).rows[0].n);

    await load('members.csv', MEMBERS);
    const first = await load('activity-1.csv', FIRST);
    await buildCounts();
    // 100001's June again, not an exact duplicate (other figures): a second row of that
    // member-month; 100003's May twice in one file
    const second = await load(
      'activity-2.csv',
      [ACTIVITY, '100001,2018,6,1,800,1200,0,0', '100003,2018,8,1,700,1050,0,0', '100003,2018,8,2,1500,2250,0,0'].join('\r\n'),
    );
    await buildCounts();
    expect(await noted()).toEqual([{ batch: first, rows: 0 }, { batch: second, rows: 2 }]);
    expect(await direct()).toBe(2);

    // without the first file, the second's June row is the first of its member-month
    await retractBatch(db.pool, { batchId: first, by: 'tester', why: 'wrong export' });
    await buildCounts();
    expect(await noted()).toEqual([{ batch: first, rows: 0 }, { batch: second, rows: 1 }]);
    expect(await direct()).toBe(1);
    const note = await db.pool.query(
      `select rows::int from gold.data_quality_counts where rule = 'repeated member-month kept as another line'`,
    );
    expect(note.rows).toEqual([{ rows: 1 }]);
    await expectIncrementalEqualsFullRefresh(db, PROJECT, { 'model.staged_row_counts': '*' }, COUNTS);
  }, 300_000);
});
