import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { generateTravel } from '../../scripts/ingest/synthetic/travel/generate.ts';
import { Random } from '../../scripts/core/random.ts';
import { adjustedRandIndex } from '../../scripts/segment/index.ts';
import { buildProject, openTestProjectDb, whyNot, type BuildOptions } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Generated TravelTide data (sessions 2023-01-01 to 2023-06-30; a session may end just after): traveller segments against the true
// archetypes and against RFM, the perk arms' invariants across builds and new travellers, and an
// experiment with a known effect planted in the treatment arm after the start.
const PROJECT = join(import.meta.dirname, '..', '..');
const START = '2023-07-02';
// everything is built, the lifetime-value models too (every traveller valued: no
// clv_sources_without_lifetime_value warning)
const BUILD: BuildOptions = { vars: { perk_experiment_start: START } };
const ALLOWED_WARNINGS = ['test.singular.feature_drift_warn'];
const PLANTED = { control: 0.2, treatment: 0.3, fare: 500 };

let testDb: TestDatabase;
let db: Database;
let dir: string;

async function rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await db.pool.query(sql)).rows as T[];
}

async function build(): Promise<void> {
  const outcome = await buildProject(db, PROJECT, BUILD);
  // a new batch of travellers may legitimately move the features: the drift warning is allowed
  expect(outcome.report.tests.filter((t) => t.status !== 'pass' && !(t.status === 'warn' && ALLOWED_WARNINGS.includes(t.id)))).toEqual([]);
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
}

async function arms(): Promise<Map<string, string>> {
  const list = await rows<{ customer_id: string; arm: string }>(`select customer_id, arm from gold.perk_assignments`);
  return new Map(list.map((r) => [r.customer_id, r.arm]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-travel-gen-'));
  testDb = await createTestDatabase('travel_generated');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('generated TravelTide data', () => {
  let first: Map<string, string>;

  it('generates all four tables deterministically, once per options', async () => {
    const result = await generateTravel(db.pool, { users: 3_000, seed: 7 });
    expect(result.rows.users).toBe(3_000);
    expect(result.rows.sessions).toBeGreaterThan(20_000);
    expect(result.rows.flights).toBeGreaterThan(3_000);
    expect(result.rows.hotels).toBeGreaterThan(3_000);
    expect((await generateTravel(db.pool, { users: 3_000, seed: 7 })).alreadyGenerated).toBe(true);
    const archetypes = await rows<{ n: number }>(`select count(distinct archetype)::int as n from landing.travel_archetypes`);
    expect(archetypes[0]!.n).toBe(5);
  });

  it('builds; before the start the experiment reports arm sizes and the power figures only', async () => {
    await build();
    const overall = (await rows(`select * from gold.experiment_results where scope = 'overall'`))[0]!;
    expect(overall['phase']).toBe('before start');
    expect(overall['conversion_diff']).toBeNull();
    expect(overall['mde_conversion']).toBeGreaterThan(0);
    expect(overall['mde_spend']).toBeGreaterThan(0);
    first = await arms();
    expect(first.size).toBe(3_000);
  });

  it('values every traveller: the generator\'s travellers never leave, so the BG/BB finds nobody drops out', async () => {
    const [fit] = await rows<{ converged: boolean; params: Record<string, number>; warnings: string[] }>(`
      select converged, params, warnings from strata_meta.clv_fits
       where source = 'stg_travel_order_lines' and role = 'purchase' order by build_id desc limit 1`);
    expect(fit!.converged).toBe(true);
    // the drop-out Beta collapses, then its one probability runs off towards 0: the boundary θ = 0
    expect(fit!.params).toEqual({ alpha: expect.any(Number), beta: expect.any(Number), theta: 0 });
    expect(fit!.warnings.slice(0, 2).map((w) => w.replace(/ \(.*/, ''))).toEqual([
      'gamma and delta run off together towards infinity',
      'theta ran off towards 0',
    ]);
    const [valued] = await rows<{ travellers: number; valued: number; p_alive: number; expected: number }>(`
      select (select count(*)::int from gold.customer_features where customer_id like 'tt-%') as travellers,
             count(*)::int as valued, min(p_alive) as p_alive,
             -- nobody drops out: a month brings (α + x)/(α + β + n) trips in expectation
             max(abs(c.expected_purchases_90d - 3 * (${fit!.params['alpha']} + s.x) / (${fit!.params['alpha']} + ${fit!.params['beta']} + s.age))) as expected
        from gold.customer_clv as c join gold.customer_clv_summary as s using (customer_id)
       where c.customer_id like 'tt-%'`);
    expect(valued).toEqual({ travellers: valued!.valued, valued: valued!.travellers, p_alive: 1, expected: expect.any(Number) });
    expect(valued!.expected).toBeLessThan(1e-12);
  });

  it('traveller segments recover the archetypes better than RFM segments (adjusted Rand index)', async () => {
    const pairs = await rows<{ archetype: string; segment_id: number; rfm_segment: string }>(`
      select a.archetype, s.segment_id, r.rfm_segment
      from bronze.travel_archetypes as a
      join gold.traveler_segments as s on s.customer_id = a.customer_id
      join gold.customer_rfm as r on r.customer_id = a.customer_id`);
    const truth = pairs.map((p) => p.archetype);
    const travel = adjustedRandIndex(pairs.map((p) => p.segment_id), truth);
    const rfm = adjustedRandIndex(pairs.map((p) => p.rfm_segment), truth);
    const names = await rows(`select segment_id, segment_name, customers_in_sample from gold.traveler_segment_centres order by segment_id`);
    console.log(`ARI on ${pairs.length} travellers: traveller segments ${travel.toFixed(3)}, RFM segments ${rfm.toFixed(3)}`, names);
    expect(travel).toBeGreaterThan(rfm + 0.1);
  });

  it('keeps every arm across a rebuild and a new batch of travellers; shares stay within two points', async () => {
    await build();
    expect(await arms()).toEqual(first);
    await generateTravel(db.pool, { users: 600, seed: 8, firstUserId: 2_100_001 });
    await build();
    const after = await arms();
    expect(after.size).toBe(3_600);
    for (const [customer, arm] of first) expect(after.get(customer)).toBe(arm);
    const shares = await rows<{ n: number; share: number }>(`
      select count(*)::int as n, avg((arm = 'treatment')::int)::float8 as share
      from gold.perk_assignments group by stratum_segment_id`);
    for (const s of shares) if (s.n >= 50) expect(Math.abs(s.share - 0.5)).toBeLessThanOrEqual(0.02);
  });

  it('measures an effect planted in the treatment arm: the 95% intervals cover it', async () => {
    // after the start, control travellers book with probability 0.2 and treatment with 0.3, one
    // flight at 500 USD: planted differences of 0.10 in conversion and 50 USD in spend per user
    const assigned = await rows<{ user_id: string; arm: string }>(`select user_id, arm from gold.perk_assignments order by user_id`);
    const random = new Random(99);
    let csv = 'trip_id,origin_airport,destination,destination_airport,seats,return_flight_booked,departure_time,return_time,checked_bags,trip_airline,destination_airport_lat,destination_airport_lon,base_fare_usd\n';
    for (const { user_id, arm } of assigned) {
      const p = arm === 'treatment' ? PLANTED.treatment : PLANTED.control;
      if (random.next() < p) csv += `${user_id}-after${user_id},JFK,boston,BOS,1,false,2023-07-15 10:00:00,,0,Delta Air Lines,42.364,-71.005,${PLANTED.fare}\n`;
    }
    const file = join(dir, 'flights-after-start.csv');
    await writeFile(file, csv);
    expect((await loadFile(db.pool, { file })).linesRejected).toBe(0);
    await build();
    const overall = (await rows<Record<string, number | string>>(`select * from gold.experiment_results where scope = 'overall'`))[0]!;
    console.log('planted experiment, overall:', overall);
    expect(overall['phase']).toBe('running');
    const diff = PLANTED.treatment - PLANTED.control;
    expect(overall['conversion_ci_low']).toBeLessThanOrEqual(diff);
    expect(overall['conversion_ci_high']).toBeGreaterThanOrEqual(diff);
    expect(overall['conversion_p_value']).toBeLessThan(0.05);
    expect(overall['spend_ci_low']).toBeLessThanOrEqual(diff * PLANTED.fare);
    expect(overall['spend_ci_high']).toBeGreaterThanOrEqual(diff * PLANTED.fare);
    // arms did not move when outcomes arrived
    const after = await arms();
    for (const [customer, arm] of first) expect(after.get(customer)).toBe(arm);
  });

  it("runs the README walk-through's queries as written", async () => {
    const readme = await readFile(join(PROJECT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Walk-through: TravelTide travel bookings'));
    const block = /```sql\n([\s\S]*?)```/.exec(section)![1]!;
    const statements = block.split(/;\s*\n/).map((sql) => sql.trim()).filter((sql) => sql.replace(/--.*$/gm, '').trim() !== '');
    expect(statements.length).toBeGreaterThanOrEqual(5);
    for (const sql of statements) expect((await rows(sql)).length, sql).toBeGreaterThan(0);
  });
});
