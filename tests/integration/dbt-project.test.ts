import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDataTests } from '../../scripts/audit/data-tests.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, fixture, openTestProjectDb } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testTargetDir } from '../support/scratch.ts';

// A small dbt project (dbt_project.yml, property files under models/, seeds, a macro, the four
// generic tests, a singular test, a source with freshness) builds unchanged with --project-dir.
const project = fixture('dbt_jaffle');
let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase('dbt_jaffle');
  db = await openTestProjectDb(testDb.url, project);
  await db.pool.query(`
    create schema stripe;
    create table stripe.payment (id int, orderid int, paymentmethod text, amount int, _batched_at timestamptz default now());
    insert into stripe.payment (id, orderid, paymentmethod, amount) values (1, 1, 'credit_card', 1000), (2, 2, 'coupon', 500), (3, 3, 'gift_card', 2500);`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('an unchanged dbt project', () => {
  it('builds, tests and publishes with --project-dir', async () => {
    const { report, exitCode } = await buildProject(db, project);
    expect(report.nodes.map((n) => `${n.id}:${n.status}`).sort()).toEqual([
      'model.customers:success',
      'model.orders:success',
      'model.stg_customers:success',
      'model.stg_orders:success',
      'model.stg_payments:success',
      'seed.raw_customers:success',
      'seed.raw_orders:success',
    ]);
    expect(report.tests.filter((t) => t.status !== 'pass')).toEqual([]);
    expect(exitCode).toBe(0);
    const kinds = await db.pool.query(
      `select table_schema, table_name from information_schema.views where table_schema in ('staging', 'analytics', 'raw') order by 1, 2`,
    );
    expect(kinds.rows.map((r) => `${r.table_schema}.${r.table_name}`)).toEqual([
      'analytics.customers',
      'analytics.orders',
      'raw.raw_customers',
      'raw.raw_orders',
      'staging.stg_customers',
      'staging.stg_orders',
      'staging.stg_payments',
    ]);
    const amount = await db.pool.query('select sum(amount)::numeric as total from analytics.orders');
    expect(Number(amount.rows[0].total)).toBe(40);
  });

  it('test-data runs the tests against what is published', async () => {
    const compiled = await compileSelection({ projectDir: project, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
    expect(await runDataTests(compiled, db, () => {})).toBe(0);
    await db.pool.query(`insert into stripe.payment (id, orderid, paymentmethod, amount) values (4, 4, 'bitcoin', 100)`);
    // stg_payments is a view onto the source: the published layer now shows a bad value
    expect(await runDataTests(compiled, db, () => {})).toBe(1);
  });
});
