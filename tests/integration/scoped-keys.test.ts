import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Data tests local to a key (`scope_by`, and unique_combination_of_columns by its columns) check,
// in an incremental build, only the key values the build touched (issue 7), with the answer of a
// full check: a new line giving an old invoice a second customer fails, with that invoice kept; a
// bad old invoice planted among the published rows is not re-reported; a rebuilt table that
// changed checks every invoice of the union leg that reads it; an edited test and --full-refresh
// check every invoice.
let dir: string;
let testDb: TestDatabase;
let db: Database;

const PROPERTIES = `version: 2
models:
  - name: shop_lines
    description: Shop lines, appended batch by batch.
    data_tests:
      - unique_combination_of_columns:
          combination_of_columns: [batch, line]
  - name: app_lines
    description: App lines, appended batch by batch.
  - name: accounts
    description: Maps an app account to a customer (a table, rebuilt every build).
  - name: all_lines
    description: Every line of both sources, with its customer.
`;

const ONE_CUSTOMER = `-- an invoice belongs to one customer
{{ config(scope_by='invoice') }}
select invoice, count(distinct customer) as customers, string_agg(distinct customer::text, ',' order by customer::text) as ids
from {{ ref('all_lines') }}
group by invoice
having count(distinct customer) > 1
`;

const incremental = (source: string) => `{{ config(materialized='incremental', indexes=[{'columns': ['invoice']}]) }}
select batch, line, invoice, customer
from {{ source('src', '${source}') }}
{% if is_incremental() %}
where batch > (select coalesce(max(batch), 0) from {{ this }})
{% endif %}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-scoped-keys-'));
  await mkdir(join(dir, 'models', 'silver'), { recursive: true });
  await mkdir(join(dir, 'tests', 'data'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: scoped_keys\n  bi_role: scoped_keys_bi\n');
  await writeFile(
    join(dir, 'models', '_sources.yml'),
    'version: 2\nsources:\n  - name: src\n    schema: keys_src\n    tables:\n      - name: shop\n      - name: app\n      - name: accounts\n',
  );
  await writeFile(join(dir, 'models', 'silver', '_silver__models.yml'), PROPERTIES);
  await writeFile(join(dir, 'models', 'silver', 'shop_lines.sql'), incremental('shop'));
  await writeFile(join(dir, 'models', 'silver', 'app_lines.sql'), incremental('app'));
  await writeFile(join(dir, 'models', 'silver', 'accounts.sql'), `{{ config(materialized='table') }}\nselect account, customer from {{ source('src', 'accounts') }}\n`);
  // a view over both sources, as silver.order_lines is: a union, one branch joined to a table
  await writeFile(
    join(dir, 'models', 'silver', 'all_lines.sql'),
    `select 'shop' as source, batch, line, invoice::text as invoice, customer
from {{ ref('shop_lines') }}
union all
select 'app', a.batch, a.line, 'app-' || a.invoice, coalesce(acc.customer, a.customer)
from {{ ref('app_lines') }} as a
left join {{ ref('accounts') }} as acc on acc.account = a.customer
`,
  );
  await writeFile(join(dir, 'tests', 'data', 'invoice_one_customer.sql'), ONE_CUSTOMER);
  testDb = await createTestDatabase('scoped_keys');
  db = await openTestProjectDb(testDb.url, dir);
  await db.pool.query(`
    create schema keys_src;
    create table keys_src.shop (batch int, line int, invoice int, customer int);
    create table keys_src.app (batch int, line int, invoice int, customer int);
    create table keys_src.accounts (account int, customer int);
    insert into keys_src.accounts values (1, 1001), (2, 1002), (66, 5);`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Lines 1..n of `batch` in `table`: invoice i belongs to customer i (three lines each). */
async function land(table: 'shop' | 'app', batch: number, invoices: readonly number[]): Promise<void> {
  await db.pool.query(
    `insert into keys_src.${table} select $1::int, row_number() over (), inv, inv from unnest($2::int[]) as inv, generate_series(1, 3)`,
    [batch, invoices],
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function outcome(build: BuildOutcome, prefix: string) {
  const found = build.report.tests.find((t) => t.id.startsWith(prefix));
  if (!found) throw new Error(`no test ${prefix} in ${build.report.tests.map((t) => t.id).join(', ')}`);
  return { status: found.status, failures: found.failures, scoped: /values this build touched/.test(found.message ?? '') };
}
const oneCustomer = (build: BuildOutcome) => outcome(build, 'test.singular.invoice_one_customer');
const uniqueLines = (build: BuildOutcome) => outcome(build, 'test.unique_combination_of_columns.shop_lines');

async function kept(build: BuildOutcome): Promise<unknown[]> {
  const r = await db.pool.query<{ rows: unknown[] | null }>(
    `select json_agg(row_data order by ordinal) as rows from strata_meta.test_failures where build_id = $1 and test_id = 'test.singular.invoice_one_customer'`,
    [build.report.buildId],
  );
  const rows = (r.rows[0]?.rows ?? []) as { invoice: string }[];
  return rows.sort((a, b) => (a.invoice < b.invoice ? -1 : 1));
}

async function partitionOf(node: string): Promise<string> {
  const live = await db.pool.query<{ part: string }>(`select format('%I.%I', physical_schema, physical_name) as part from strata_meta.live where node_id = $1`, [node]);
  return live.rows[0]!.part;
}

describe('data tests local to a key', () => {
  it('check the touched keys only, with the answers of a full check', async () => {
    await land('shop', 1, range(1, 50));
    await land('app', 1, range(1, 20));
    // one line of app invoice 5 names account 66, which the accounts table maps to customer 5
    await db.pool.query(`update keys_src.app set customer = 66 where invoice = 5 and line = (select min(line) from keys_src.app where invoice = 5)`);
    const first = await buildProject(db, dir);
    expect(first.exitCode, whyNot(first)).toBe(0);
    expect(oneCustomer(first)).toEqual({ status: 'pass', failures: 0, scoped: false });

    // an old invoice with two customers, planted among the published rows and in the source (as
    // if it had slipped in): scoped checks never read invoice 7 again
    await db.pool.query(`update ${await partitionOf('model.shop_lines')} set customer = 9999 where invoice = 7 and line = (select min(line) from keys_src.shop where invoice = 7)`);
    await db.pool.query(`update keys_src.shop set customer = 9999 where invoice = 7 and line = (select min(line) from keys_src.shop where invoice = 7)`);
    await land('shop', 2, range(51, 60));
    const second = await buildProject(db, dir);
    expect(second.exitCode, whyNot(second)).toBe(0);
    expect(oneCustomer(second)).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(uniqueLines(second)).toEqual({ status: 'pass', failures: 0, scoped: true });

    // a new line giving old invoice 12 a second customer: the invoice fails, all its lines read,
    // and the failing row kept is invoice 12 (not the planted 7)
    await db.pool.query(`insert into keys_src.shop values (3, 1, 12, 4242), (3, 2, 61, 61)`);
    const third = await buildProject(db, dir);
    expect(third.exitCode).toBe(1);
    expect(oneCustomer(third)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(third)).toEqual([{ invoice: '12', customers: 2, ids: '12,4242' }]);

    // fixed at the source: the next build passes, still scoped (the failed build never published)
    await db.pool.query(`update keys_src.shop set customer = 12 where batch = 3 and invoice = 12`);
    const fourth = await buildProject(db, dir);
    expect(fourth.exitCode, whyNot(fourth)).toBe(0);
    expect(oneCustomer(fourth)).toEqual({ status: 'pass', failures: 0, scoped: true });

    // a batch touching more than 100,000 invoices: the scoped test reads every row instead (a
    // literal of that many values cost more than the scan), so the planted invoice 7 is read too
    await land('shop', 4, range(1000, 101_100));
    const large = await buildProject(db, dir);
    expect(large.exitCode).toBe(1);
    expect(await kept(large)).toEqual([{ invoice: '7', customers: 2, ids: '7,9999' }]);
    await db.pool.query(`delete from keys_src.shop where batch = 4`);

    // a duplicate line of an old batch among the new rows fails unique_combination_of_columns
    await db.pool.query(`insert into keys_src.shop values (5, 1, 62, 62), (5, 1, 62, 62)`);
    const fifth = await buildProject(db, dir);
    expect(fifth.exitCode).toBe(1);
    expect(uniqueLines(fifth)).toEqual({ status: 'fail', failures: 1, scoped: true });
    await db.pool.query(`delete from keys_src.shop where batch = 5`);
  });

  it('a view that is a union is taken leg by leg: a leg reads its own inputs\' changes, every row of a leg when two of them changed', async () => {
    // new lines in both sources (app invoice 3 gets a second customer): the two inputs that
    // changed are in different legs of the union, each leg is read over its own input's changes,
    // and the planted invoice 7 (shop) is not read again
    await land('shop', 6, [70]);
    await db.pool.query(`insert into keys_src.app values (6, 1, 3, 555)`);
    const both = await buildProject(db, dir);
    expect(both.exitCode).toBe(1);
    expect(oneCustomer(both)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(both)).toEqual([{ invoice: 'app-3', customers: 2, ids: '3,555' }]);
    await db.pool.query(`delete from keys_src.app where batch = 6`);

    // the rebuilt table no longer maps account 66: no line of app invoice 5 changed, yet it has
    // two customers now. The table changed, so every row of the app leg, which reads it, is
    // checked; the shop leg is not read
    await db.pool.query(`delete from keys_src.accounts where account = 66`);
    const table = await buildProject(db, dir);
    expect(table.exitCode).toBe(1);
    expect(oneCustomer(table)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(table)).toEqual([{ invoice: 'app-5', customers: 2, ids: '5,66' }]);
    await db.pool.query(`insert into keys_src.accounts values (66, 5)`);

    // two inputs of one leg changed (new app lines and a new account): every row of that leg is
    // checked, so an old app invoice planted among the published rows is found; the shop leg is not read
    const appLines = await partitionOf('model.app_lines');
    const plant = (customer: number) => [
      `update ${appLines} set customer = ${customer} where invoice = 9 and line = (select min(line) from keys_src.app where invoice = 9)`,
      `update keys_src.app set customer = ${customer} where invoice = 9 and line = (select min(line) from keys_src.app where invoice = 9)`,
    ];
    for (const sql of plant(8888)) await db.pool.query(sql);
    await land('app', 7, [21]);
    await db.pool.query(`insert into keys_src.accounts values (3, 1003)`);
    const leg = await buildProject(db, dir);
    expect(leg.exitCode).toBe(1);
    expect(oneCustomer(leg)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(leg)).toEqual([{ invoice: 'app-9', customers: 2, ids: '8888,9' }]);
    for (const sql of plant(9)) await db.pool.query(sql);
    await db.pool.query(`delete from keys_src.app where batch = 7; delete from keys_src.accounts where account = 3`);
  });

  it('an edited test and --full-refresh check every key', async () => {
    // the same test, edited in place (same id): its earlier pass does not count
    await writeFile(join(dir, 'tests', 'data', 'invoice_one_customer.sql'), ONE_CUSTOMER.replace('-- an invoice', '-- an invoice (edited)'));
    await land('shop', 8, [72]);
    const edited = await buildProject(db, dir);
    expect(edited.exitCode).toBe(1);
    expect(oneCustomer(edited)).toEqual({ status: 'fail', failures: 1, scoped: false });
    expect(await kept(edited)).toEqual([{ invoice: '7', customers: 2, ids: '7,9999' }]);

    const full = await buildProject(db, dir, { fullRefresh: true });
    expect(full.exitCode).toBe(1);
    expect(oneCustomer(full)).toEqual({ status: 'fail', failures: 1, scoped: false });
    expect(await kept(full)).toEqual([{ invoice: '7', customers: 2, ids: '7,9999' }]);
  });
});
