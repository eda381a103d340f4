import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterLayout, clusterUp, coordinatorUrl, type Cluster } from '../../scripts/citus/cluster.ts';
import { ensureCitus, type PgInstall } from '../../scripts/citus/install.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The project, unchanged, on a real coordinator + two workers (its own ports and data folder, so a
// developer's `npm run citus -- up` cluster is left alone), against a plain PostgreSQL build of
// the same generated data.
const PROJECT = join(import.meta.dirname, '..', '..');
const PORT = 9710;

let dir: string;
let cluster: Cluster;
let pgi: PgInstall;
let single: TestDatabase;
let singleDb: Database;
let citusDb: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-citus-'));
  cluster = clusterLayout(join(dir, 'cluster'), PORT);
  pgi = await ensureCitus(PROJECT, () => {});
  await clusterUp(cluster, pgi, () => {});
  citusDb = await openTestProjectDb(coordinatorUrl(cluster), PROJECT);
  single = await createTestDatabase('citus_single');
  singleDb = await openTestProjectDb(single.url, PROJECT);
  for (const db of [singleDb, citusDb]) await generate(db.pool, { customers: 400, seed: 5 });
});

afterAll(async () => {
  await citusDb?.close();
  await singleDb?.close();
  await single?.drop();
  if (cluster) await clusterDown(cluster, pgi, true, () => {});
  await rm(dir, { recursive: true, force: true });
});

/** Columns that record when or in which build a row was written (and the snapshot id hashed from that time), not what it says. */
const WHEN = /(^|_)(build|built|fitted|published|loaded|recorded|valid_from|valid_to|updated|scd_id)(_|$)|_at$/;

/** Every row of a relation as canonical JSON, numbers to 9 significant digits, sorted. */
async function canonicalRows(db: Database, relation: string): Promise<string[]> {
  const { rows } = await db.pool.query(`select row_to_json(t) as r from ${relation} t`);
  const round = (v: unknown): unknown =>
    typeof v === 'number' ? Number(v.toPrecision(9)) : Array.isArray(v) ? v.map(round) : v && typeof v === 'object' ? canonical(v as Record<string, unknown>) : v;
  const canonical = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.keys(o).filter((k) => !WHEN.test(k)).sort().map((k) => [k, round(o[k])]));
  return rows.map((r: { r: Record<string, unknown> }) => JSON.stringify(canonical(r.r))).sort();
}

describe('strata on a three-node Citus cluster', () => {
  it('the cluster has two active workers', async () => {
    const { rows } = await citusDb.pool.query('select count(*)::int as n from citus_get_active_worker_nodes()');
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('builds with every test passing, and gold equals a plain PostgreSQL build row for row', async () => {
    const onCluster = await buildProject(citusDb, PROJECT);
    expect(onCluster.exitCode, whyNot(onCluster)).toBe(0);
    const onSingle = await buildProject(singleDb, PROJECT);
    expect(onSingle.exitCode, whyNot(onSingle)).toBe(0);
    expect(onCluster.report.tests.length).toBe(onSingle.report.tests.length);

    const gold = await singleDb.pool.query<{ name: string }>(
      `select table_name as name from information_schema.views where table_schema = 'gold' order by 1`,
    );
    expect(gold.rows.length).toBeGreaterThan(10);
    for (const { name } of gold.rows) {
      const [a, b] = [await canonicalRows(singleDb, `gold."${name}"`), await canonicalRows(citusDb, `gold."${name}"`)];
      expect({ name, rows: b.length }).toEqual({ name, rows: a.length });
      expect({ name, differing: b.filter((row, i) => row !== a[i]).length }).toEqual({ name, differing: 0 });
    }
  });

  it('the BI role reads gold and nothing else on the cluster', async () => {
    const { rows } = await citusDb.pool.query(
      `select has_schema_privilege('strata_bi', 'gold', 'usage') as gold,
              has_schema_privilege('strata_bi', 'silver', 'usage') as silver,
              has_schema_privilege('strata_bi', 'bronze', 'usage') as bronze,
              has_schema_privilege('strata_bi', 'landing', 'usage') as landing`,
    );
    expect(rows).toEqual([{ gold: true, silver: false, bronze: false, landing: false }]);
  });
});
