import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterLayout, clusterUp, coordinatorUrl, type Cluster } from '../../scripts/citus/cluster.ts';
import { ensureCitus, type PgInstall } from '../../scripts/citus/install.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
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
  // `offset 0` keeps the view's rows a subquery Citus collects first: a whole-row reference to a
  // view over distributed tables is sent to the workers as the view's row type, which exists on
  // the coordinator only ('type "gold.churn_features" does not exist'; docs/scale-out.md)
  const { rows } = await db.pool.query(`select row_to_json(t) as r from (select * from ${relation} offset 0) t`);
  const round = (v: unknown): unknown =>
    typeof v === 'number' ? Number(v.toPrecision(9)) : Array.isArray(v) ? v.map(round) : v && typeof v === 'object' ? canonical(v as Record<string, unknown>) : v;
  const canonical = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.keys(o).filter((k) => !WHEN.test(k)).sort().map((k) => [k, round(o[k])]));
  return rows.map((r: { r: Record<string, unknown> }) => JSON.stringify(canonical(r.r))).sort();
}

/**
 * Every gold view's canonical rows, by view name; `stored`: only the views of stored nodes (a view
 * model such as data_quality_counts reads landing as it is now, so a batch loaded after a build
 * shows in it at once, by design).
 */
async function goldOf(db: Database, stored = false): Promise<Record<string, string[]>> {
  const gold = await db.pool.query<{ name: string }>(
    stored
      ? `select public_name as name from strata_meta.live where public_schema = 'gold' and kind = 'stored' order by 1`
      : `select table_name as name from information_schema.views where table_schema = 'gold' order by 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of gold.rows) out[name] = await canonicalRows(db, `gold."${name}"`);
  return out;
}

/** Gold of `b` against gold of `a`, view by view: the same rows (counts and differing rows named per view). */
function expectSameGold(a: Record<string, string[]>, b: Record<string, string[]>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  expect(Object.keys(a).length).toBeGreaterThan(10);
  for (const [name, rows] of Object.entries(a)) {
    const other = b[name]!;
    expect({ name, rows: other.length }).toEqual({ name, rows: rows.length });
    expect({ name, differing: other.filter((row, i) => row !== rows[i]).length }).toEqual({ name, differing: 0 });
  }
}

/** How Citus holds a published node's rows: its parent's distribution method and column, or local. */
async function layoutOf(db: Database, node: string): Promise<string> {
  const { rows } = await db.pool.query<{ layout: string | null }>(
    `select d.partmethod::text || ':' || column_to_column_name(d.logicalrelid, d.partkey) as layout
       from strata_meta.live l
       join pg_class c on c.relname = l.physical_name
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = l.physical_schema
       join pg_inherits i on i.inhrelid = c.oid
       left join pg_dist_partition d on d.logicalrelid = i.inhparent
      where l.node_id = $1`,
    [node],
  );
  expect(rows, `${node} has no published partition`).toHaveLength(1);
  return rows[0]!.layout ?? 'local';
}

async function rollback(db: Database): Promise<number> {
  const compiled = await compileSelection({ projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false });
  return runRollback(compiled, db, () => {});
}

/** What the BI role gets from a query: 'ok' or the error's message. */
async function asBi(db: Database, sql: string): Promise<string> {
  const client = await db.pool.connect();
  try {
    await client.query('set role strata_bi');
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.query('reset role').catch(() => {});
    client.release();
  }
}

describe('strata on a three-node Citus cluster, tables distributed by customer', () => {
  let firstGold: Record<string, string[]>;

  it('the cluster has two active workers', async () => {
    const { rows } = await citusDb.pool.query('select count(*)::int as n from citus_get_active_worker_nodes()');
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('builds with every test passing, in the configured layout, and gold equals a plain PostgreSQL build row for row', async () => {
    const onCluster = await buildProject(citusDb, PROJECT);
    expect(onCluster.exitCode, whyNot(onCluster)).toBe(0);
    const onSingle = await buildProject(singleDb, PROJECT);
    expect(onSingle.exitCode, whyNot(onSingle)).toBe(0);
    expect(onCluster.report.tests.length).toBe(onSingle.report.tests.length);

    // schema.yml's layout: customer grain by customer_id, the rest local
    expect(await layoutOf(citusDb, 'model.customers')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.orders')).toBe('local');
    expect(await layoutOf(citusDb, 'model.customer_features')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.segment_history')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.stg_retail_order_lines')).toBe('local');
    expect(await layoutOf(citusDb, 'model.retention_priorities')).toBe('local');
    // on plain PostgreSQL the same config changes nothing
    expect((await singleDb.pool.query(`select count(*)::int as n from pg_extension where extname = 'citus'`)).rows).toEqual([{ n: 0 }]);

    expectSameGold(await goldOf(singleDb), await goldOf(citusDb));
    firstGold = await goldOf(citusDb, true);
  });

  it('the BI role reads gold (distributed too) and nothing else on the cluster', async () => {
    const { rows } = await citusDb.pool.query(
      `select has_schema_privilege('strata_bi', 'gold', 'usage') as gold,
              has_schema_privilege('strata_bi', 'silver', 'usage') as silver,
              has_schema_privilege('strata_bi', 'bronze', 'usage') as bronze,
              has_schema_privilege('strata_bi', 'landing', 'usage') as landing,
              has_schema_privilege('strata_bi', 'strata_store', 'usage') as store`,
    );
    expect(rows).toEqual([{ gold: true, silver: false, bronze: false, landing: false, store: false }]);
    // a distributed gold view runs on the workers as the BI role: it must be allowed there
    expect(await asBi(citusDb, 'select count(*) from gold.customer_segments s join gold.customer_features f using (customer_id)')).toBe('ok');
    expect(await asBi(citusDb, 'select count(*) from silver.customers')).toMatch(/permission denied/);
    const parent = await citusDb.pool.query<{ name: string }>(
      `select i.inhparent::regclass::text as name from strata_meta.live l join pg_inherits i
         on i.inhrelid = format('%I.%I', l.physical_schema, l.physical_name)::regclass where l.node_id = 'model.customer_features'`,
    );
    // not the stored partitions on the coordinator: unpublished builds' rows stay unreachable
    expect(await asBi(citusDb, `select count(*) from ${parent.rows[0]!.name}`)).toMatch(/permission denied/);
  });

  it('builds incrementally: only the new batch is read, and gold still equals the plain build', async () => {
    for (const db of [singleDb, citusDb]) await generate(db.pool, { customers: 60, seed: 6 });
    const onCluster = await buildProject(citusDb, PROJECT);
    expect(onCluster.exitCode, whyNot(onCluster)).toBe(0);
    const onSingle = await buildProject(singleDb, PROJECT);
    expect(onSingle.exitCode, whyNot(onSingle)).toBe(0);
    const customers = onCluster.report.nodes.find((n) => n.id === 'model.customers')!;
    // the new batch's 60 customers are the rows added, not all 460
    expect(customers.rows).toBe(60);
    expect(customers.rows).toBe(onSingle.report.nodes.find((n) => n.id === 'model.customers')!.rows);
    expectSameGold(await goldOf(singleDb), await goldOf(citusDb));
  });

  it('a failed build publishes nothing: gold unchanged, its row versions written but invisible', async () => {
    const before = await goldOf(citusDb, true);
    const published = (await citusDb.pool.query('select count(*)::int as n from silver.customers')).rows[0].n as number;
    await generate(citusDb.pool, { customers: 40, seed: 7 });
    // any drift at all blocks publishing (tests/data/feature_drift_block.sql): a real failed verdict
    const failed = await buildProject(citusDb, PROJECT, { vars: { drift_psi_block: 0 } });
    expect(failed.exitCode).toBe(1);
    expect(failed.report.blockedBy).toMatch(/feature_drift_block/);
    expectSameGold(before, await goldOf(citusDb, true));
    expect((await citusDb.pool.query('select count(*)::int as n from silver.customers')).rows[0].n).toBe(published);
    const partition = await citusDb.pool.query<{ name: string }>(
      `select format('%I.%I', physical_schema, physical_name) as name from strata_meta.live where node_id = 'model.customers'`,
    );
    const written = await citusDb.pool.query(`select count(*)::int as n from ${partition.rows[0]!.name} where _strata_from = $1`, [failed.report.buildId]);
    expect(written.rows[0].n).toBe(40);
  });

  it('rollback republishes the previous build: gold equals the first build again', async () => {
    expect(await rollback(citusDb)).toBe(0);
    expectSameGold(firstGold, await goldOf(citusDb, true));
    expect(await asBi(citusDb, 'select count(*) from gold.customer_features')).toBe('ok');
  });

  it('a build after the rollback publishes, and retention detaches distributed partitions (no CONCURRENTLY on Citus)', async () => {
    const next = await buildProject(citusDb, PROJECT);
    expect(next.exitCode, whyNot(next)).toBe(0);
    // the build rolled back from, and the failed one, are gone: at most keep_builds (3) partitions
    // per distributed parent, each of them still distributed
    const { rows } = await citusDb.pool.query<{ parent: string; partitions: number; distributed: number }>(
      `select p.relname as parent, count(*)::int as partitions,
              count(*) filter (where exists (select 1 from pg_dist_partition d where d.logicalrelid = i.inhrelid))::int as distributed
         from pg_dist_partition dp join pg_class p on p.oid = dp.logicalrelid join pg_inherits i on i.inhparent = p.oid
        group by 1 order by 1`,
    );
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect({ parent: r.parent, partitions: r.partitions <= 3, distributed: r.distributed }).toEqual({ parent: r.parent, partitions: true, distributed: r.partitions });
    const [discarded, failed] = [next.report.buildId - 2, next.report.buildId - 1];
    const left = await citusDb.pool.query(`select count(*)::int as n from pg_class where relname ~ ('__b(' || $1 || '|' || $2 || ')$')`, [discarded, failed]);
    expect(left.rows[0].n).toBe(0);
    expect(await asBi(citusDb, 'select count(*) from gold.customer_segments')).toBe('ok');
  });
});
