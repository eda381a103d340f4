import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, fixture, openTestProjectDb } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testTargetDir } from '../support/scratch.ts';

const project = fixture('e2e');
let testDb: TestDatabase;
let db: Database;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.pool.query(sql)).rows;
}

async function landEvents(values: string): Promise<void> {
  await db.pool.query(`insert into e2e_src.events (event_id, customer_id, region_code, amount, loaded_at) values ${values}`);
}

beforeAll(async () => {
  testDb = await createTestDatabase('e2e');
  db = await openTestProjectDb(testDb.url, project);
  await db.pool.query(`create schema e2e_src; create table e2e_src.events (event_id int, customer_id int, region_code text, amount numeric, loaded_at timestamptz)`);
  await landEvents(`(1, 1, 'N', 10, '2024-01-01'), (2, 1, 'N', 5, '2024-01-02'), (3, 2, 'S', 7, '2024-01-02')`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('an end-to-end build of the fixture project', () => {
  it('builds every kind of node, runs the tests and publishes', async () => {
    const { report, exitCode } = await buildProject(db, project, { vars: { marker: 1 } });
    const status = Object.fromEntries(report.nodes.map((n) => [n.id, n.status]));
    expect(status).toEqual({
      'seed.regions': 'success',
      'model.stg_events': 'success',
      'model.event_log': 'success',
      'model.customers': 'success',
      'model.customer_scores': 'success',
      'model.broken': 'success',
      'model.after_broken': 'success',
      'model.customer_history': 'success',
      'model.score_summary': 'success',
    });
    expect(exitCode).toBe(0);
    expect(report.published).toBe(true);
    expect(report.tests.every((t) => t.status === 'pass')).toBe(true);
    expect(report.tests.length).toBeGreaterThanOrEqual(9);
    expect(await rows('select customer_id, region, amount::int, amount_cents::int from gold.customers order by 1')).toEqual([
      { customer_id: 1, region: 'North', amount: 15, amount_cents: 1500 },
      { customer_id: 2, region: 'South', amount: 7, amount_cents: 700 },
    ]);
    expect(await rows('select customers, total_score::int from gold.score_summary')).toEqual([{ customers: 2, total_score: 22 }]);
    // descriptions become comments BI tools can show
    expect(await rows(`select obj_description('gold.customers'::regclass) as d`)).toEqual([{ d: 'One row per customer.' }]);
    expect(await rows(`select col_description('gold.customers'::regclass, 2) as d`)).toEqual([{ d: 'Region name.' }]);
  });

  it('the BI role reads gold and nothing else', async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const pg = (await import('pg')).default;
    const password = (await readFile(join(project, '.strata', 'bi-password'), 'utf8')).trim();
    const url = new URL(testDb.url);
    url.username = 'e2e_bi';
    url.password = password;
    const bi = new pg.Client({ connectionString: url.toString() });
    await bi.connect();
    try {
      expect((await bi.query('select count(*)::int as n from gold.customers')).rows).toEqual([{ n: 2 }]);
      await expect(bi.query('select * from silver.event_log')).rejects.toThrow(/permission denied/);
      await expect(bi.query('select * from e2e_src.events')).rejects.toThrow(/permission denied/);
      const physical = (await db.pool.query(`select format('%I.%I', physical_schema, physical_name) as name from strata_meta.live where node_id = 'model.customers'`)).rows[0].name;
      await expect(bi.query(`select * from ${physical}`)).rejects.toThrow(/permission denied/);
    } finally {
      await bi.end();
    }
  });

  it('a failing model and a failing test publish nothing and name file and line', async () => {
    const before = await rows('select * from gold.customer_scores order by 1');
    const summaryBefore = await rows('select * from gold.score_summary order by 1');
    const publicationsBefore = await rows('select count(*)::int as n from strata_meta.publications');
    const { report, exitCode } = await buildProject(db, project, { vars: { marker: 2, break_model: true, break_test: true } });
    expect(exitCode).toBe(1);
    expect(report.published).toBe(false);
    const byId = new Map(report.nodes.map((n) => [n.id, n]));
    expect(byId.get('model.broken')!.status).toBe('error');
    expect(byId.get('model.broken')!.error).toContain('models/gold/broken.sql:7');
    expect(byId.get('model.broken')!.error).toContain('no_such_column');
    expect(byId.get('model.after_broken')!.status).toBe('skipped');
    expect(byId.get('model.customers')!.status).toBe('success');
    const failed = report.tests.filter((t) => t.status === 'fail').map((t) => t.id);
    expect(failed.some((id) => id.includes('not_null') && id.includes('score'))).toBe(true);
    // the failing test stops what depends on customer_scores
    expect(byId.get('model.customer_scores')!.status).toBe('success');
    expect(byId.get('model.score_summary')!.status).toBe('skipped');
    // a child may start while its parent's tests run (execute/schedule.ts): it is still reported
    // as skipped because of the failed test, and its rows are never published
    expect(byId.get('model.score_summary')!.skippedBecause).toMatch(/not_null.*score/);
    // and strata_meta.node_runs says the same for every node, even one that ran before the test failed
    const recorded = await rows(`select node_id, status, error from strata_meta.node_runs where build_id = ${report.buildId} order by node_id`);
    expect(recorded).toEqual(
      [...report.nodes]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((n) => ({ node_id: n.id, status: n.status, error: n.status === 'skipped' ? n.skippedBecause : n.status === 'error' ? n.error : null })),
    );
    expect(await rows('select * from gold.customer_scores order by 1')).toEqual(before);
    expect(await rows('select * from gold.score_summary order by 1')).toEqual(summaryBefore);
    expect(await rows('select count(*)::int as n from strata_meta.publications')).toEqual(publicationsBefore);
    const failures = await rows(`select count(*)::int as n from strata_meta.test_failures where build_id = ${report.buildId}`);
    expect(failures[0]!.n).toBeGreaterThan(0);
  });

  it('incremental and snapshot models change only when their build publishes', async () => {
    await landEvents(`(4, 3, 'N', 1, '2024-02-01')`);
    await db.pool.query(`update e2e_src.events set region_code = 'S' where customer_id = 1`);
    const { exitCode } = await buildProject(db, project, { vars: { marker: 3 } });
    expect(exitCode).toBe(0);
    expect(await rows('select count(*)::int as n from gold.customer_scores where marker = 3')).toEqual([{ n: 3 }]);
    expect(await rows('select count(*)::int as n from silver.event_log')).toEqual([{ n: 4 }]);
    const history = await rows(
      `select customer_id, region, dbt_valid_to is null as current from gold.customer_history where customer_id = 1 order by dbt_valid_from`,
    );
    expect(history).toEqual([
      { customer_id: 1, region: 'North', current: false },
      { customer_id: 1, region: 'South', current: true },
    ]);
  });

  it('rollback republishes the previous build', async () => {
    const { runRollback } = await import('../../scripts/cli/rollback.ts');
    const { compileSelection } = await import('../../scripts/cli/session.ts');
    const compiled = await compileSelection({ projectDir: project, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
    expect(await runRollback(compiled, db, () => {})).toBe(0);
    expect(await rows('select distinct marker from gold.customer_scores')).toEqual([{ marker: 1 }]);
    expect(await rows('select count(*)::int as n from silver.event_log')).toEqual([{ n: 3 }]);
  });
});
