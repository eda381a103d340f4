import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestCentreSql } from '../../scripts/segment/sql.ts';
import { applyTransform, fitTransform } from '../../scripts/segment/transform.ts';
import { nearestCentre } from '../../scripts/segment/vector.ts';
import { seededRandom } from '../../scripts/core/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The SQL that assigns every customer must do the same arithmetic as the TypeScript that fitted
 * the centres: same transform, same nearest centre, same distance.
 */
const features = ['recency_days', 'frequency', 'monetary', 'return_rate'];

interface Row {
  customer_id: number;
  recency_days: number | null;
  frequency: number | null;
  monetary: number | null;
  return_rate: number | null;
}

function makeRows(): Row[] {
  const random = seededRandom(17);
  const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
    customer_id: i + 1,
    recency_days: Math.floor(random() * 400),
    frequency: 1 + Math.floor(-Math.log(1 - random()) * 3),
    monetary: Math.round(Math.exp(random() * 8) * 100) / 100,
    return_rate: Math.round(random() * 30) / 100,
  }));
  // the awkward cases: missing values, a negative spend (a refund), zeros
  rows.push({ customer_id: 61, recency_days: null, frequency: 2, monetary: null, return_rate: 0 });
  rows.push({ customer_id: 62, recency_days: 10, frequency: 0, monetary: -35.5, return_rate: null });
  rows.push({ customer_id: 63, recency_days: 0, frequency: 1, monetary: 0, return_rate: 1 });
  return rows;
}

let db: TestDatabase | undefined;
const rows = makeRows();
const transform = fitTransform(rows.slice(0, 60) as unknown as Record<string, number>[], features);
const centres = [
  { id: 2, centre: [-1, 1, 1, -0.5] },
  { id: 5, centre: [1, -0.7, -0.8, 0] },
  { id: 9, centre: [0, 0, 0, 1.5] },
  // the same centre as id 2: ties must go to the lower segment_id
  { id: 11, centre: [-1, 1, 1, -0.5] },
];

beforeAll(async () => {
  db = await createTestDatabase('segment_sql');
  await db.pool.query(`create table customer_features (
    customer_id integer primary key, recency_days integer, frequency bigint, monetary numeric(12, 2), return_rate double precision)`);
  for (const r of rows) {
    await db.pool.query('insert into customer_features values ($1, $2, $3, $4, $5)', [
      r.customer_id, r.recency_days, r.frequency, r.monetary, r.return_rate,
    ]);
  }
  await db.pool.query(`create table centres (segment_id integer primary key, ${features.map((f) => `c_${f} double precision`).join(', ')})`);
  for (const c of centres) {
    await db.pool.query(`insert into centres values ($1, ${features.map((_, i) => `$${i + 2}`).join(', ')})`, [c.id, ...c.centre]);
  }
});
afterAll(async () => db?.drop());

describe('nearestCentreSql against PostgreSQL', () => {
  it('logs the skewed columns of this data', () => {
    expect(transform.log1p).toEqual([false, true, true, false]);
  });

  it('assigns every customer to the centre, at the distance, that TypeScript computes', async () => {
    const sql = nearestCentreSql(transform, 'centres', 'customer_features');
    const result = await db!.pool.query<{ customer_id: number; segment_id: number; distance: number }>(
      `${sql} order by customer_id`,
    );
    expect(result.rows).toHaveLength(rows.length);
    const vectors = centres.map((c) => c.centre);
    for (const [i, row] of result.rows.entries()) {
      const input = rows[i]!;
      expect(row.customer_id).toBe(input.customer_id);
      const z = applyTransform(transform, input as unknown as Record<string, number>);
      const nearest = nearestCentre(vectors, z);
      expect(row.segment_id).toBe(centres[nearest.index]!.id);
      expect(row.distance).toBeCloseTo(Math.sqrt(nearest.squared), 9);
    }
    const ids = new Set(result.rows.map((r) => r.segment_id));
    expect(ids.has(11)).toBe(false);
    expect(ids.size).toBeGreaterThan(1);
  });

  it('treats NULL as the mean and clamps a negative logged value at 0', async () => {
    const sql = nearestCentreSql(transform, 'centres', 'customer_features');
    const result = await db!.pool.query<{ customer_id: number; distance: number }>(
      `${sql} where t.customer_id in (61, 62) order by customer_id`,
    );
    const [missing, refund] = result.rows;
    const zMissing = applyTransform(transform, rows[60] as unknown as Record<string, number>);
    expect(zMissing[0]).toBe(0);
    expect(zMissing[2]).toBe(0);
    const nearestMissing = nearestCentre(centres.map((c) => c.centre), zMissing);
    expect(missing!.distance).toBeCloseTo(Math.sqrt(nearestMissing.squared), 9);
    const zRefund = applyTransform(transform, rows[61] as unknown as Record<string, number>);
    expect(zRefund[2]).toBeCloseTo(-transform.mean[2]! / transform.sd[2]!, 12);
    expect(refund!.distance).toBeCloseTo(Math.sqrt(nearestCentre(centres.map((c) => c.centre), zRefund).squared), 9);
  });
});
