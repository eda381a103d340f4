import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import { predictPAlive, predictPurchases, toPurchaseModel } from '../../scripts/clv/predict.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { applyTransform, type FeatureTransform } from '../../scripts/segment/index.ts';
import { nearestCentre } from '../../scripts/segment/vector.ts';
import { buildProject, buildPublished, openTestProjectDb, whyNot, type BuildOptions } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The refit rule (scripts/core/refit-policy.ts, docs/models.md "Refitting") in the real project:
 * a batch that changes the customers by less than var refit_growth (default 0.1) keeps the
 * published k-means centres and CLV fits and only re-scores; the scores from kept parameters
 * equal scoring those parameters fresh; a larger batch, `refit_growth: 0` and `--full-refresh`
 * refit. (The purchases trigger is tested in tests/unit/core/refit-policy.test.ts; here only that
 * the fit records its purchases.) Synthetic customers from the project's generator, 2,000 then batches of new customers.
 */
const project = fileURLToPath(new URL('../..', import.meta.url));

let testDb: TestDatabase;
let db: Database;

async function rows<T = Record<string, unknown>>(text: string): Promise<T[]> {
  return (await db.pool.query(text)).rows as T[];
}

const build = (options: BuildOptions = {}): Promise<BuildOutcome> => buildPublished(db, project, options);

/** New customers (ids and invoices clear of the first load's) buying in the last weeks. */
async function newCustomers(customers: number, firstCustomerId: number): Promise<void> {
  await generate(db.pool, { customers, seed: firstCustomerId, start: '2011-11-01', days: 30, firstCustomerId, firstInvoiceNo: firstCustomerId * 10 });
}

/** The build ids named by the published fits. */
async function fitBuilds(): Promise<{ centres: number[]; clv: number[] }> {
  const ids = async (table: string) => (await rows<{ b: string }>(`select distinct build_id as b from ${table} order by 1`)).map((r) => Number(r.b));
  return { centres: await ids('gold.segment_centres'), clv: await ids('gold.clv_predictions') };
}

beforeAll(async () => {
  testDb = await createTestDatabase('refit_policy');
  db = await openTestProjectDb(testDb.url, project);
  await generate(db.pool, { customers: 2000, seed: 11 });
}, 120_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('the refit rule for fitted models', () => {
  let first: BuildOutcome;

  it('a first build fits, and records the population and settings it fitted on', async () => {
    first = await build();
    expect(await fitBuilds()).toEqual({ centres: [first.report.buildId], clv: [first.report.buildId] });
    const [centre] = await rows<{ fit_customers: string; fit_settings: Record<string, unknown> }>(`select fit_customers, fit_settings from gold.segment_centres limit 1`);
    const [{ n, orders }] = (await rows<{ n: string; orders: string }>(`select count(*) as n, sum(frequency) as orders from gold.customer_features`)) as [
      { n: string; orders: string },
    ];
    expect(Number(centre!.fit_customers)).toBe(Number(n));
    expect(Number((await rows<{ p: string }>(`select fit_purchases as p from gold.segment_centres limit 1`))[0]!.p)).toBe(Number(orders));
    expect(centre!.fit_settings).toMatchObject({ seed: 42, kRange: [3, 8] });
  }, 300_000);

  it('a batch of 2% new customers keeps both fits, and re-scores everyone exactly as the kept parameters score fresh', async () => {
    const centresBefore = await rows(`select * from gold.segment_centres order by segment_id`);
    const segmentFits = await rows(`select build_id from strata_meta.segment_fits order by 1`);
    const clvFits = await rows(`select build_id, source, model from strata_meta.clv_fits order by 1, 2, 3`);
    await newCustomers(40, 300001);
    const second = await build();
    // the default rule (refit_growth 0.1): kept, and recorded as kept (build_id names the fit)
    expect(await fitBuilds()).toEqual({ centres: [first.report.buildId], clv: [first.report.buildId] });
    expect(await rows(`select * from gold.segment_centres order by segment_id`)).toEqual(centresBefore);
    expect(await rows(`select build_id from strata_meta.segment_fits order by 1`)).toEqual(segmentFits);
    expect(await rows(`select build_id, source, model from strata_meta.clv_fits order by 1, 2, 3`)).toEqual(clvFits);
    expect(second.report.nodes.find((n) => n.id === 'model.segment_centres')?.status).toBe('success');

    // every customer, the new ones too, is in the segment of its nearest kept centre, computed here
    const [fit] = await rows<{ transform: FeatureTransform }>(`select transform from strata_meta.segment_fits where build_id = ${first.report.buildId}`);
    const transform = fit!.transform;
    const centres = await rows<Record<string, number>>(`select * from gold.segment_centres order by segment_id`);
    const vectors = centres.map((c) => transform.features.map((f) => c[`c_${f}`]!));
    const customers = await rows<Record<string, number> & { customer_id: string; segment_id: number; distance: number }>(`
      select f.customer_id::text, s.segment_id, s.distance, ${transform.features.map((c) => `f.${c}::float8 as ${c}`).join(', ')}
      from gold.customer_features as f join gold.customer_segments as s using (customer_id)`);
    const [{ n }] = (await rows<{ n: string }>(`select count(*) as n from gold.customer_features`)) as [{ n: string }];
    expect(customers).toHaveLength(Number(n));
    expect(customers.filter((c) => Number(c.customer_id) >= 300001)).toHaveLength(40);
    for (const customer of customers) {
      const nearest = nearestCentre(vectors, applyTransform(transform, customer));
      expect(customer.segment_id, customer.customer_id).toBe(centres[nearest.index]!['segment_id']);
      expect(customer.distance).toBeCloseTo(Math.sqrt(nearest.squared), 9);
    }

    // every (x, t_x, age) of the moved as-of time is scored with the kept parameters, as the model
    // functions score them one by one (weeks, 90 days ahead)
    const [purchase] = await rows<{ model: string; params: Record<string, number>; source: string }>(`
      select model, params, source from strata_meta.clv_fits where build_id = ${first.report.buildId} and role = 'purchase'`);
    const model = toPurchaseModel({ model: purchase!.model as 'bgnbd', params: purchase!.params });
    const [spend] = await rows<{ params: Record<string, number> }>(`
      select params from strata_meta.clv_fits where build_id = ${first.report.buildId} and role = 'spend'`);
    const predictions = await rows<{ x: number; t_x: number; age: number; customers: string; p_alive: number; expected_purchases_90d: number; gg_p: number; gg_q: number; gg_v: number }>(`
      select x, t_x, age, customers, p_alive, expected_purchases_90d, gg_p, gg_q, gg_v from gold.clv_predictions where source = '${purchase!.source}'`);
    const combinations = await rows<{ x: number; t_x: number; age: number; n: string }>(`
      select x, t_x, age, count(*) as n from gold.customer_clv_summary where source = '${purchase!.source}' group by 1, 2, 3`);
    expect(predictions).toHaveLength(combinations.length);
    const byKey = new Map(predictions.map((p) => [`${p.x}|${p.t_x}|${p.age}`, p]));
    for (const c of combinations) {
      const p = byKey.get(`${c.x}|${c.t_x}|${c.age}`)!;
      expect(Number(p.customers)).toBe(Number(c.n));
      const row = { x: c.x, tx: c.t_x, T: c.age };
      expect(p.p_alive).toBeCloseTo(predictPAlive(model, row), 9);
      expect(p.expected_purchases_90d).toBeCloseTo(predictPurchases(model, row, 90 / 7), 9);
      expect([p.gg_p, p.gg_q, p.gg_v]).toEqual([spend!.params['p'], spend!.params['q'], spend!.params['v']]);
    }
  }, 300_000);

  it('refit_growth 0 refits every build, and so does --full-refresh', async () => {
    const zero = await build({ vars: { refit_growth: 0 } });
    expect(await fitBuilds()).toEqual({ centres: [zero.report.buildId], clv: [zero.report.buildId] });
    const full = await build({ fullRefresh: true });
    expect(await fitBuilds()).toEqual({ centres: [full.report.buildId], clv: [full.report.buildId] });
  }, 600_000);

  it('a batch that grows the customers by more than refit_growth refits; changed settings refit', async () => {
    const before = await fitBuilds();
    await newCustomers(300, 400001);
    const grown = await build();
    expect(await fitBuilds()).toEqual({ centres: [grown.report.buildId], clv: [grown.report.buildId] });
    expect(grown.report.buildId).toBeGreaterThan(before.centres[0]!);
    const settings = await build({ vars: { segment_k: 4, clv_horizon_months: 6 } });
    expect(await fitBuilds()).toEqual({ centres: [settings.report.buildId], clv: [settings.report.buildId] });
    expect(await rows(`select distinct horizon_months from gold.clv_predictions`)).toEqual([{ horizon_months: 6 }]);
  }, 600_000);

  it('a negative refit_growth is an error naming the var (a non-number is refused by --vars already)', async () => {
    const outcome = await buildProject(db, project, { vars: { refit_growth: -0.5 } });
    expect(outcome.report.published).toBe(false);
    expect(whyNot(outcome)).toMatch(/var refit_growth must be a number ≥ 0/);
  }, 300_000);
});
