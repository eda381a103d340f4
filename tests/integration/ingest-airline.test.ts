import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../scripts/core/errors.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The airline files as Maven ships them: a byte-order mark, CRLF line ends, names with spaces.
const BOM = '\uFEFF';
const MEMBERS =
  BOM +
  [
    'Loyalty Number,Country,Province,City,Postal Code,Gender,Education,Salary,Marital Status,Loyalty Card,CLV,Enrollment Type,Enrollment Year,Enrollment Month,Cancellation Year,Cancellation Month',
    '480934,Canada,Ontario,Toronto,M2Z 4K1,Female,Bachelor,83236,Married,Star,3839.14,Standard,2016,2,,',
    '429460,Canada,British Columbia,Vancouver,V6E 3D9,Male,College,,Single,Star,3839.75,Standard,2014,7,2018,1',
    '111111,Canada,Quebec,Montreal,H2T 9K8,Male,Master,-57297,Married,Nova,5000.00,2018 Promotion,2018,3,,',
    '222222,Canada,Quebec,Montreal,H2T 9K8,Male,Master,lots,Married,Nova,5000.00,Standard,2018,3,,',
  ].join('\r\n') +
  '\r\n';
const ACTIVITY_HEADER = 'Loyalty Number,Year,Month,Total Flights,Distance,Points Accumulated,Points Redeemed,Dollar Cost Points Redeemed';
const ACTIVITY =
  BOM +
  [ACTIVITY_HEADER, '480934,2018,6,12,15276,22914.5,0,0', '480934,2018,7,0,0,0,512,92', '480934,2018,7,0,0,0,512,92', '429460,2017,1,2,3000'].join(
    '\r\n',
  ) +
  '\r\n';

let db: TestDatabase;
let scratch: string;
beforeAll(async () => {
  db = await createTestDatabase('ingest_airline');
  await runMigrations(db.pool);
  scratch = await mkdtemp(join(tmpdir(), 'strata-airline-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe('loading the airline loyalty files', () => {
  it('recognises the members file by its header and lands it typed, with lineage and quarantine', async () => {
    const file = join(scratch, 'Customer Loyalty History.csv');
    await writeFile(file, MEMBERS);
    const result = await loadFile(db.pool, { file });
    expect(result).toMatchObject({ linesRead: 4, linesLoaded: 3, linesRejected: 1, alreadyLoaded: false });
    const batch = await db.pool.query('select format, status from landing.load_batches where batch_id = $1', [result.batchId]);
    expect(batch.rows[0]).toEqual({ format: 'airline_members', status: 'loaded' });
    const landed = await db.pool.query(
      `select source_line::int as line, loyalty_number, province, salary::text as salary, clv::text as clv,
              enrollment_type, cancellation_year, cancellation_month
         from landing.airline_members where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    expect(landed.rows).toEqual([
      { line: 2, loyalty_number: 480934, province: 'Ontario', salary: '83236.0000', clv: '3839.1400', enrollment_type: 'Standard', cancellation_year: null, cancellation_month: null },
      { line: 3, loyalty_number: 429460, province: 'British Columbia', salary: null, clv: '3839.7500', enrollment_type: 'Standard', cancellation_year: 2018, cancellation_month: 1 },
      { line: 4, loyalty_number: 111111, province: 'Quebec', salary: '-57297.0000', clv: '5000.0000', enrollment_type: '2018 Promotion', cancellation_year: null, cancellation_month: null },
    ]);
    const bad = await db.pool.query('select source_line::int as line, reason, column_name, value from landing.quarantine where batch_id = $1', [
      result.batchId,
    ]);
    expect(bad.rows).toEqual([{ line: 5, reason: 'bad number', column_name: 'Salary', value: 'lots' }]);
  });

  it('recognises the activity file (gzip too), quarantines a short row, and loads it once', async () => {
    const file = join(scratch, 'customer_flight_activity.csv.gz');
    await writeFile(file, gzipSync(ACTIVITY));
    const result = await loadFile(db.pool, { file });
    expect(result).toMatchObject({ linesRead: 4, linesLoaded: 3, linesRejected: 1 });
    const landed = await db.pool.query(
      `select loyalty_number, year, month, total_flights, distance, points_accumulated::float8 as points, points_redeemed
         from landing.airline_flight_activity where batch_id = $1 order by source_line`,
      [result.batchId],
    );
    expect(landed.rows[0]).toEqual({ loyalty_number: 480934, year: 2018, month: 6, total_flights: 12, distance: 15276, points: 22914.5, points_redeemed: 0 });
    expect(landed.rows).toHaveLength(3);
    const bad = await db.pool.query('select source_line::int as line, reason from landing.quarantine where batch_id = $1', [result.batchId]);
    expect(bad.rows).toEqual([{ line: 5, reason: 'wrong column count' }]);

    const again = await loadFile(db.pool, { file });
    expect(again).toMatchObject({ alreadyLoaded: true, batchId: result.batchId });
  });

  it('refuses the earlier (2023) release of the activity file before writing anything', async () => {
    const file = join(scratch, 'variant.csv');
    await writeFile(file, BOM + ACTIVITY_HEADER.replace('Total Flights', 'Flights Booked,Flights with Companions,Total Flights') + '\r\n1,2017,1,1,0,1,100,100,0,0\r\n');
    const before = await db.pool.query('select count(*)::int as n from landing.load_batches');
    const error = await loadFile(db.pool, { file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/variant\.csv:1: .*earlier \(2023\) release.*never mixes/);
    const after = await db.pool.query('select count(*)::int as n from landing.load_batches');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
