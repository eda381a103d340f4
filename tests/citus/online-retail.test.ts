import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { SUMMARISE_BRIN_SQL } from '../../scripts/ingest/batches.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { retractBatch } from '../../scripts/ingest/retract.ts';
import { buildProject, whyNot } from '../support/build.ts';
import { onlineRetailFile } from '../support/data-files.ts';
import { expectSameGold, goldOf, layoutOf, PROJECT, rollback, startPair, type Gold, type Pair } from './support.ts';

// The real UCI Online Retail file (541,909 lines, 135,080 without a customer) and a generated
// batch, on a three-node cluster and on plain PostgreSQL: full build, incremental build, the
// generated batch retracted, rollback; gold the same on both after each step. The cluster runs
// the project's default layout (docs/scale-out.md, "Layout"): landing.order_lines distributed by
// the loader's invoice_key by the migrations, before anything is loaded, and every source's
// line-level staging by it too (schema.yml), so the loader, staging's duplicate window, its
// incremental look-ups, the re-ranking after a retraction and the readers of the lines
// (order_lines, returns: unions of co-located legs) run on distributed lines.
const PORT = 9715;
const ONLINE_RETAIL = onlineRetailFile();
// the generated batch: customers 100001… in Online Retail's own year (the generator's default window)
const GENERATED = { customers: 300, seed: 14 } as const;

let pair: Pair;
let singleDb: Database;
let citusDb: Database;
let both: readonly Database[];

beforeAll(async () => {
  pair = await startPair('citus_retail', PORT);
  ({ singleDb, citusDb } = pair);
  both = [singleDb, citusDb];
  for (const db of both) expect((await loadFile(db.pool, { file: ONLINE_RETAIL })).linesLoaded).toBe(541_909);
});

afterAll(async () => {
  await pair?.close();
});

/** Builds the project on both servers; each build must publish. Returns the cluster's report. */
async function buildBoth(): Promise<Awaited<ReturnType<typeof buildProject>>[]> {
  const outcomes = [];
  for (const db of both) {
    const outcome = await buildProject(db, PROJECT);
    expect(outcome.exitCode, whyNot(outcome)).toBe(0);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function customers(db: Database): Promise<number> {
  return (await db.pool.query<{ n: number }>('select count(*)::int as n from silver.customers')).rows[0]!.n;
}

describe('UCI Online Retail on a three-node Citus cluster against plain PostgreSQL', () => {
  let retailCustomers: number;
  let incrementalGold: Gold;
  let batchId: number[];

  it('a full build: every test passes on both, the same gold row for row', async () => {
    const [single, cluster] = await buildBoth();
    expect(cluster!.report.tests.length).toBe(single!.report.tests.length);
    // the 4,334 customers with a purchase line (docs/models.md's independent query of the file)
    retailCustomers = await customers(citusDb);
    expect(retailCustomers).toBe(await customers(singleDb));
    expect(retailCustomers).toBe(4_334);
    // the by-invoice layout: landing's lines and staging's partition distributed by invoice_key
    const landing = await citusDb.pool.query<{ layout: string }>(
      `select partmethod::text || ':' || column_to_column_name(logicalrelid, partkey) as layout
         from pg_dist_partition where logicalrelid = 'landing.order_lines'::regclass`,
    );
    expect(landing.rows).toEqual([{ layout: 'h:invoice_key' }]);
    expect(await layoutOf(citusDb, 'model.stg_retail_order_lines')).toBe('h:invoice_key');
    expect(await layoutOf(citusDb, 'model.stg_airline_flight_activity')).toBe('h:invoice_key');
    expect(await layoutOf(citusDb, 'model.travel_trips')).toBe('h:invoice_key');
    expect(await layoutOf(citusDb, 'model.stg_airline_members')).toBe('reference');
    expect(await layoutOf(citusDb, 'model.orders')).toBe('local');
    expectSameGold(await goldOf(singleDb), await goldOf(citusDb));
  });

  it('an incremental build after a generated batch adds only its customers and keeps gold the same', async () => {
    batchId = [];
    for (const db of both) batchId.push((await generate(db.pool, GENERATED)).batchId);
    // the load summarised the BRIN ranges it wrote in every shard: nothing is left to summarise,
    // so a look-up of the batch reads only its own ranges (scripts/ingest/batches.ts)
    const left = await citusDb.pool.query<{ result: string }>(`select result from run_command_on_shards('landing.order_lines', $1)`, [SUMMARISE_BRIN_SQL]);
    expect(left.rows.length).toBeGreaterThan(1);
    expect(left.rows.map((r) => r.result)).toEqual(left.rows.map(() => '0'));
    const [single, cluster] = await buildBoth();
    for (const outcome of [single!, cluster!]) {
      // the loaded batch's lines are the only ones staged, its customers the only rows added
      expect(outcome.report.nodes.find((n) => n.id === 'model.customers')!.rows).toBe(GENERATED.customers);
    }
    expect(await customers(citusDb)).toBe(retailCustomers + GENERATED.customers);
    expectSameGold(await goldOf(singleDb), await goldOf(citusDb));
    incrementalGold = await goldOf(citusDb, true);
  });

  it('the generated batch retracted: the next build removes its customers on both, gold the same', async () => {
    for (const [i, db] of both.entries()) await retractBatch(db.pool, { batchId: batchId[i]!, by: 'test', why: 'the retract path on Citus' });
    await buildBoth();
    expect(await customers(citusDb)).toBe(retailCustomers);
    expect(await customers(singleDb)).toBe(retailCustomers);
    const retracted = await citusDb.pool.query<{ n: number }>(
      `select count(*)::int as n from silver.stg_retail_order_lines where batch_id = $1 and line_status <> 'retracted'`,
      [batchId[1]],
    );
    expect(retracted.rows).toEqual([{ n: 0 }]);
    expectSameGold(await goldOf(singleDb), await goldOf(citusDb));
  });

  it('rollback on both: back to the incremental build, the same gold', async () => {
    for (const db of both) expect(await rollback(db, PROJECT)).toBe(0);
    expect(await customers(citusDb)).toBe(retailCustomers + GENERATED.customers);
    const cluster = await goldOf(citusDb, true);
    expectSameGold(incrementalGold, cluster);
    expectSameGold(await goldOf(singleDb, true), cluster);
  });
});
