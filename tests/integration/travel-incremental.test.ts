import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { listBatches, retractBatch } from '../../scripts/ingest/retract.ts';
import { generateTravel } from '../../scripts/ingest/synthetic/travel/generate.ts';
import { buildProject, openTestProjectDb, whyNot, type BuildOptions } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { expectIncrementalEqualsFullRefresh } from '../support/full-refresh.ts';

// Issue 9: the travel models are incremental (staging append-only, travel_trips delete+insert on
// trip_id), and what they hold after load, build, load, build equals a full refresh of the same
// data. The second load is generated travellers plus hand-written rows that reach back into the
// first batch: a hotel for a trip whose flight came before, the user row of a traveller whose trip
// came before, a booking and a cancelling session for an earlier trip, and a repeat of an earlier
// trip's flight (a duplicate through the index look-up).
const PROJECT = join(import.meta.dirname, '..', '..');
const BUILD: BuildOptions = { select: ['+traveler_features', '+stg_travel_order_lines', '+orders', '+customers', '+data_quality_counts', '+perk_assignments'] };
// every travel model, and the source-neutral silver they feed, compared with a full refresh
const COMPARED = Object.fromEntries(
  ['stg_travel_users', 'stg_travel_flights', 'stg_travel_hotels', 'stg_travel_sessions', 'staged_row_counts', 'travel_trips', 'stg_travel_order_lines', 'traveler_features', 'orders', 'customers'].map(
    (name) => [`model.${name}`, '*'],
  ),
);
const FLIGHTS =
  'trip_id,origin_airport,destination,destination_airport,seats,return_flight_booked,departure_time,return_time,checked_bags,trip_airline,destination_airport_lat,destination_airport_lon,base_fare_usd\n';
const HOTELS = 'trip_id,hotel_name,nights,rooms,check_in_time,check_out_time,hotel_per_room_usd\n';
const USERS = 'user_id,birthdate,gender,married,has_children,home_country,home_city,home_airport,home_airport_lat,home_airport_lon,sign_up_date\n';
const SESSIONS =
  'session_id,user_id,trip_id,session_start,session_end,flight_discount,hotel_discount,flight_discount_amount,hotel_discount_amount,flight_booked,hotel_booked,page_clicks,cancellation\n';
// users 9000001 (known from the first load), 9000002 and 9000003 (their user rows come in the
// second; 9000003's trip has nothing else new, so only the late user row can touch it)
const EARLY = {
  'late-users-1.csv': `${USERS}9000001,1980-01-01,F,true,false,usa,boston,BOS,42.364,-71.005,2023-01-02\n`,
  'late-flights-1.csv':
    `${FLIGHTS}9000001-aa,BOS,new york,JFK,2,true,2023-03-01 08:00:00,2023-03-05 18:00:00,1,Delta Air Lines,40.640,-73.779,300\n` +
    `9000002-bb,JFK,boston,BOS,1,false,2023-04-01 09:00:00,,0,Delta Air Lines,42.364,-71.005,150\n` +
    `9000003-cc,JFK,chicago,ORD,1,false,2023-05-01 09:00:00,,0,United Airlines,41.979,-87.904,120\n`,
};
const LATE = {
  'late-users-2.csv':
    `${USERS}9000002,1990-05-05,M,false,false,canada,toronto,YYZ,43.677,-79.631,2023-02-01\n` +
    `9000003,1975-07-07,F,true,true,usa,new york,JFK,40.640,-73.779,2023-02-15\n`,
  'late-hotels-2.csv': `${HOTELS}9000001-aa,Hilton - new york,4,1,2023-03-01 15:00:00.250000,2023-03-05 11:00:00,180\n`,
  'late-flights-2.csv': `${FLIGHTS}9000001-aa,BOS,new york,JFK,2,true,2023-03-01 08:00:00,2023-03-05 18:00:00,1,Delta Air Lines,40.640,-73.779,300\n`,
  'late-sessions-2.csv':
    `${SESSIONS}9000001-s1,9000001,9000001-aa,2023-02-01 10:00:00,2023-02-01 10:20:00,false,false,,,true,true,12,false\n` +
    `9000002-s1,9000002,9000002-bb,2023-03-20 10:00:00,2023-03-20 10:05:00,false,false,,,false,false,3,true\n`,
};

let testDb: TestDatabase;
let db: Database;
let dir: string;

async function load(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    expect((await loadFile(db.pool, { file: join(dir, name) })).linesRejected, name).toBe(0);
  }
}

async function build(): Promise<void> {
  const outcome = await buildProject(db, PROJECT, BUILD);
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-travel-incr-'));
  testDb = await createTestDatabase('travel_incremental');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('travel models, incrementally', () => {
  it('load, build, load, build: every travel model equals a full refresh', async () => {
    await generateTravel(db.pool, { users: 400, seed: 11 });
    await load(EARLY);
    await build();
    const before = (await db.pool.query(`select user_known from silver.travel_trips where trip_id in ('9000002-bb', '9000003-cc')`)).rows;
    expect(before).toEqual([{ user_known: false }, { user_known: false }]);

    await generateTravel(db.pool, { users: 150, seed: 12, firstUserId: 2_100_001 });
    await load(LATE);
    await build();
    // the second build reached back into the first batch's trips
    const late = await db.pool.query(
      `select trip_id, has_flight, has_hotel, user_known, cancelled, booked_at is not null as booked
         from silver.travel_trips where trip_id like '900000%' order by trip_id`,
    );
    expect(late.rows).toEqual([
      { trip_id: '9000001-aa', has_flight: true, has_hotel: true, user_known: true, cancelled: false, booked: true },
      { trip_id: '9000002-bb', has_flight: true, has_hotel: false, user_known: true, cancelled: true, booked: false },
      { trip_id: '9000003-cc', has_flight: true, has_hotel: false, user_known: true, cancelled: false, booked: false },
    ]);
    const repeat = await db.pool.query(`select flight_status, count(*)::int as n from silver.stg_travel_flights where trip_id = '9000001-aa' group by 1 order by 1`);
    expect(repeat.rows).toEqual([{ flight_status: 'booked', n: 1 }, { flight_status: 'duplicate', n: 1 }]);

    await expectIncrementalEqualsFullRefresh(
      db,
      PROJECT,
      COMPARED,
      BUILD,
    );
  }, 600_000);

  it('retract a flights file, a users file and a generated load, build: equals a full refresh, and the retracted rows are counted', async () => {
    // Retracting 'late-flights-1.csv' withdraws the first occurrence of trip 9000001-aa's flight
    // (its repeat in 'late-flights-2.csv' becomes the booked one) and the only flights of
    // 9000002-bb and 9000003-cc (those trips, left with a session at most, leave travel_trips and
    // orders). Retracting 'late-users-1.csv' leaves trip 9000001-aa without a known traveller:
    // its order and its customer leave silver. Retracting the second generated load withdraws its
    // users, sessions, flights and hotels at once. A users file with no trip is loaded too: it
    // moves nothing.
    await load({ 'late-users-3.csv': `${USERS}9000004,1985-03-03,F,false,false,usa,denver,DEN,39.862,-104.673,2023-03-01\n` });
    const batches = await listBatches(db.pool);
    const named = (file: string) => {
      const batch = batches.find((b) => b.sourceFile.endsWith(file));
      expect(batch, file).toBeDefined();
      return batch!.batchId;
    };
    const generated = batches.filter((b) => b.format === 'synthetic_travel').map((b) => b.batchId);
    expect(generated.length, 'two generated loads').toBe(2);
    const withdrawn = [named('late-flights-1.csv'), named('late-users-1.csv'), generated[1]!];
    const customersOf = `select customer_id from silver.stg_travel_users where batch_id = ${generated[1]}`;
    const before = await db.pool.query<{ n: number }>(`select count(distinct customer_id)::int as n from silver.orders where customer_id in (${customersOf})`);
    expect(before.rows[0]!.n, 'the generated travellers have orders before').toBeGreaterThan(0);

    const arms = `select customer_id, arm from gold.perk_assignments where not withdrawn order by customer_id`;
    const armsBefore = (await db.pool.query<{ customer_id: string; arm: string }>(arms)).rows;
    const withdrawnTravellers = new Set(
      (await db.pool.query<{ customer_id: string }>(`${customersOf} union select 'tt-9000001'`)).rows.map((r) => r.customer_id),
    );

    for (const batchId of withdrawn) await retractBatch(db.pool, { batchId, by: 'tester', why: 'test data' });
    await build();

    // the experiment keeps every other traveller's arm; the withdrawn travellers keep their rows,
    // marked (every_traveler_has_one_arm, a data test of the build, checks the flag both ways)
    const armsAfter = (await db.pool.query<{ customer_id: string; arm: string }>(arms)).rows;
    // (and the traveller of the users file without trips, new, is assigned)
    expect(armsAfter.filter((r) => r.customer_id !== 'tt-9000004')).toEqual(armsBefore.filter((r) => !withdrawnTravellers.has(r.customer_id)));
    expect(armsAfter.some((r) => r.customer_id === 'tt-9000004')).toBe(true);
    const marked = await db.pool.query<{ customer_id: string }>(`select customer_id from gold.perk_assignments where withdrawn`);
    expect(new Set(marked.rows.map((r) => r.customer_id))).toEqual(new Set([...withdrawnTravellers].filter((c) => armsBefore.some((r) => r.customer_id === c))));
    expect(marked.rows.length).toBeGreaterThan(100);

    const trips = await db.pool.query(
      `select trip_id, has_flight, has_hotel, user_known from silver.travel_trips where trip_id like '900000%' order by trip_id`,
    );
    expect(trips.rows).toEqual([{ trip_id: '9000001-aa', has_flight: true, has_hotel: true, user_known: false }]);
    const statuses = await db.pool.query(
      `select flight_status, count(*)::int as n from silver.stg_travel_flights where trip_id like '900000%' group by 1 order by 1`,
    );
    expect(statuses.rows).toEqual([{ flight_status: 'booked', n: 1 }, { flight_status: 'retracted', n: 3 }]);
    const left = await db.pool.query<{ orders: number; customers: number; trips: number }>(
      `select (select count(*)::int from silver.orders where customer_id in (${customersOf})) as orders,
              (select count(*)::int from silver.customers where customer_id in (${customersOf})) as customers,
              (select count(*)::int from silver.orders where invoice_no like 'tt-900000%') as trips`,
    );
    expect(left.rows[0]).toEqual({ orders: 0, customers: 0, trips: 0 });
    // landed = kept + set aside per model, the retracted rows among the set aside
    const counts = await db.pool.query<{ model: string; landed: number; counted: number; retracted: number; expected: number }>(
      `with expected as (
         select 'stg_travel_users' as model, count(*)::int as n from landing.travel_users where batch_id = any($1)
         union all select 'stg_travel_sessions', count(*)::int from landing.travel_sessions where batch_id = any($1)
         union all select 'stg_travel_flights', count(*)::int from landing.travel_flights where batch_id = any($1)
         union all select 'stg_travel_hotels', count(*)::int from landing.travel_hotels where batch_id = any($1))
       select q.model,
              sum(q.rows) filter (where q.step = 'landed')::int as landed,
              sum(q.rows) filter (where q.step in ('kept', 'set aside'))::int as counted,
              coalesce(sum(q.rows) filter (where q.rule = 'retracted'), 0)::int as retracted,
              min(e.n) as expected
         from gold.data_quality_counts as q join expected as e using (model)
        group by q.model order by q.model`,
      [withdrawn],
    );
    expect(counts.rows.length).toBe(4);
    for (const row of counts.rows) {
      expect(row.counted, row.model).toBe(row.landed);
      expect(row.retracted, row.model).toBe(row.expected);
      expect(row.retracted, row.model).toBeGreaterThan(0);
    }

    // the users file loaded again: its traveller is back, in the arm first assigned
    const armOf = async () =>
      (await db.pool.query<{ arm: string; withdrawn: boolean }>(`select arm, withdrawn from gold.perk_assignments where customer_id = 'tt-9000001'`)).rows;
    const first = armsBefore.find((r) => r.customer_id === 'tt-9000001');
    expect(first, 'tt-9000001 was assigned').toBeDefined();
    expect(await armOf()).toEqual([{ arm: first!.arm, withdrawn: true }]);
    await load({ 'late-users-1.csv': EARLY['late-users-1.csv'] });
    await build();
    expect(await armOf()).toEqual([{ arm: first!.arm, withdrawn: false }]);

    await expectIncrementalEqualsFullRefresh(
      db,
      PROJECT,
      COMPARED,
      BUILD,
    );
  }, 600_000);
});
