import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { asBi, expectSameGold, goldOf, layoutOf, PROJECT, rollback, startPair, type Gold, type Pair } from './support.ts';

// The project, unchanged, on a real coordinator + two workers (its own ports and data folder, so a
// developer's `npm run citus -- up` cluster is left alone), against a plain PostgreSQL build of
// the same generated data.
const PORT = 9710;

let pair: Pair;
let singleDb: Database;
let citusDb: Database;

beforeAll(async () => {
  pair = await startPair('citus_single', PORT);
  ({ singleDb, citusDb } = pair);
  for (const db of [singleDb, citusDb]) await generate(db.pool, { customers: 400, seed: 5 });
});

afterAll(async () => {
  await pair?.close();
});

describe('strata on a three-node Citus cluster, tables distributed by customer', () => {
  let firstGold: Gold;

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

    // schema.yml's layout: line-level staging by invoice, customer grain by customer_id
    expect(await layoutOf(citusDb, 'model.customers')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.orders')).toBe('local');
    expect(await layoutOf(citusDb, 'model.customer_features')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.segment_history')).toBe('h:customer_id');
    expect(await layoutOf(citusDb, 'model.stg_retail_order_lines')).toBe('h:invoice_key');
    expect(await layoutOf(citusDb, 'model.retention_priorities')).toBe('local');
    // seeds: reference tables (every build's rows in one, its view in strata_store per build)
    expect(await layoutOf(citusDb, 'seed.rfm_segment_rules')).toBe('reference');
    expect(await layoutOf(citusDb, 'seed.perks')).toBe('reference');
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
    // reference tables (seeds) keep the rows of kept builds only: retention deleted the others'
    const references = await citusDb.pool.query<{ name: string }>(
      `select logicalrelid::regclass::text as name from pg_dist_partition where partmethod = 'n' and logicalrelid::regclass::text like 'strata_store.%'`,
    );
    expect(references.rows.length).toBeGreaterThanOrEqual(7);
    for (const { name } of references.rows) {
      const gens = await citusDb.pool.query(`select count(distinct _strata_gen)::int as n from ${name}`);
      expect({ name, atMostKept: gens.rows[0].n <= 3 }).toEqual({ name, atMostKept: true });
    }
    const [discarded, failed] = [next.report.buildId - 2, next.report.buildId - 1];
    const left = await citusDb.pool.query(`select count(*)::int as n from pg_class where relname ~ ('__b(' || $1 || '|' || $2 || ')$')`, [discarded, failed]);
    expect(left.rows[0].n).toBe(0);
    expect(await asBi(citusDb, 'select count(*) from gold.customer_segments')).toBe('ok');
  });

  it('after citus.shard_count changed, an incremental build still joins and attaches to the published tables', async () => {
    // Citus's default co-location groups tables by shard count too: the staged new rows and a
    // table model's new partition would land in a new group, and the join or the attach is
    // refused ("… are not colocated"); they are co-located with the published partition by name
    const database = (await citusDb.pool.query<{ name: string }>('select current_database() as name')).rows[0]!.name;
    await citusDb.pool.query(`alter database ${database} set citus.shard_count = 4`);
    const fresh = await openTestProjectDb(citusDb.url, PROJECT); // sessions that read the new setting
    try {
      await generate(fresh.pool, { customers: 30, seed: 8 });
      const onCluster = await buildProject(fresh, PROJECT);
      expect(onCluster.exitCode, whyNot(onCluster)).toBe(0);
      expect(onCluster.report.nodes.find((n) => n.id === 'model.customers')!.rows).toBe(30);
      const shards = await fresh.pool.query<{ n: number }>(
        `select count(*)::int as n from pg_dist_shard where logicalrelid = (
           select format('%I.%I', physical_schema, physical_name)::regclass from strata_meta.live where node_id = 'model.customer_features')`,
      );
      expect(shards.rows[0]!.n).toBe(8); // the published parent's, not the new setting's
    } finally {
      await fresh.close();
    }
  });

  it('a model Citus cannot distribute fails its node, naming the statement with the co-location chosen', async () => {
    // a json column has no hash function: create_distributed_table refuses it
    const project = await mkdtemp(join(tmpdir(), 'strata-citus-distribute-'));
    try {
      await mkdir(join(project, 'models'));
      await writeFile(join(project, 'schema.yml'), 'version: 2\nproject:\n  name: citus_distribute\n  bi_role: citus_distribute_bi\nmodels:\n  - name: by_json\n    description: Distributed by a column Citus cannot hash.\n');
      await writeFile(join(project, 'models', 'by_json.sql'), `{{ config(materialized='table', distributed_by='payload') }}\nselect 1 as id, '{}'::json as payload\n`);
      const db = await openTestProjectDb(citusDb.url, project);
      try {
        const built = await buildProject(db, project);
        expect(built.exitCode).not.toBe(0);
        const node = built.report.nodes.find((n) => n.id === 'model.by_json')!;
        expect(node.status).toBe('error');
        expect(node.error).toMatch(/^Database Error in model by_json \(models\/by_json\.sql:1\): data type json has no default operator class/);
        expect(node.error).toMatch(/what to do: strata was distributing .*create_distributed_table\('[^']*"by_json"', 'payload', colocate_with => 'default'\).*distributed_by/);
      } finally {
        await db.close();
      }
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
