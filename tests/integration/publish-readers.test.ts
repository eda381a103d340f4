import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const ROWS = 20_000;
let dir: string;
let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-readers-'));
  await mkdir(join(dir, 'models', 'gold'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: readers\n  bi_role: readers_bi\n  vars: {marker: 0}\n');
  // two tables of the same build; a reader joining them must never see two builds at once
  for (const name of ['a', 'b']) {
    await writeFile(
      join(dir, 'models', 'gold', `${name}.sql`),
      `select g as id, {{ var('marker') }} as marker, md5(g::text) as filler\nfrom generate_series(1, ${ROWS}) as g\n`,
    );
  }
  testDb = await createTestDatabase('readers');
  db = await openTestProjectDb(testDb.url, dir);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('BI readers while builds publish', () => {
  it('never see an error, an empty or partial table, or a mix of two builds; user views survive', async () => {
    expect((await buildProject(db, dir, { vars: { marker: 1 } })).exitCode).toBe(0);
    await db.pool.query('create schema analytics; create view analytics.my_view as select id, marker from gold.a where id <= 10');

    const reader = new pg.Client({ connectionString: testDb.url });
    await reader.connect();
    const seen = new Set<number>();
    const problems: string[] = [];
    let reads = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const result = await reader.query<{ n: string; ma: number; mb: number; distinct_a: string }>(
            `select count(*) as n, min(a.marker) as ma, max(b.marker) as mb, count(distinct a.marker) as distinct_a
               from gold.a join gold.b using (id)`,
          );
          const row = result.rows[0]!;
          reads++;
          if (Number(row.n) !== ROWS) problems.push(`saw ${row.n} rows`);
          if (row.ma !== row.mb || Number(row.distinct_a) !== 1) problems.push(`mixed builds ${row.ma}/${row.mb}`);
          seen.add(row.ma);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    })();
    for (let marker = 2; marker <= 6; marker++) {
      expect((await buildProject(db, dir, { vars: { marker } })).exitCode).toBe(0);
    }
    stop = true;
    await loop;
    await reader.end();

    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect((await db.pool.query('select distinct marker from analytics.my_view')).rows).toEqual([{ marker: 6 }]);
    // only the last 3 published builds keep their schemas
    const kept = await db.pool.query(`select count(*)::int as n from pg_namespace where nspname like 'gold__b%'`);
    expect(kept.rows[0].n).toBe(3);
  });

  it('a reader holding a public view in an open transaction does not stop the publish (it moves a pointer, no view is replaced)', async () => {
    const holder = new pg.Client({ connectionString: testDb.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select count(*) from gold.a'); // holds ACCESS SHARE on the view and its partitions until commit
    const release = setTimeout(() => void holder.query('commit'), 1500);
    const outcome = await buildProject(db, dir, { vars: { marker: 7 } });
    clearTimeout(release);
    await holder.query('commit').catch(() => {});
    await holder.end();
    expect(outcome.exitCode).toBe(0);
    expect((await db.pool.query('select distinct marker from gold.b')).rows).toEqual([{ marker: 7 }]);
  });
});
