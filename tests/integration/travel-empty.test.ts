import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Retail data only: every travel model builds, empty, and its tests pass; the retail gold has no
// traveller in it.
const PROJECT = join(import.meta.dirname, '..', '..');

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase('travel_empty');
  db = await openTestProjectDb(testDb.url, PROJECT);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('a retail-only project', () => {
  it('builds every travel model empty', async () => {
    await generate(db.pool, { customers: 400, seed: 3 });
    const outcome = await buildProject(db, PROJECT);
    expect(outcome.report.tests.filter((t) => t.status !== 'pass')).toEqual([]);
    expect(outcome.exitCode, whyNot(outcome)).toBe(0);
    const travel = ['traveler_features', 'traveler_segment_centres', 'traveler_segments', 'traveler_segment_perks', 'perk_assignments', 'experiment_results'];
    for (const model of travel) {
      const node = outcome.report.nodes.find((n) => n.id === `model.${model}`);
      expect(node?.status, model).toBe('success');
      expect((await db.pool.query(`select count(*)::int as n from gold.${model}`)).rows[0].n, model).toBe(0);
    }
    const travellers = await db.pool.query(`select count(*)::int as n from gold.customer_features where customer_id like 'tt-%'`);
    expect(travellers.rows[0].n).toBe(0);
  });
});
