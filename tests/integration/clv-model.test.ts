import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import { CompileErrors } from '../../scripts/core/errors.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { predictClv, predictPAlive, predictPurchases, predictSpend, toPurchaseModel } from '../../scripts/clv/predict.ts';
import { DAYS_PER_UNIT, TIME_UNITS, type TimeUnitVar } from '../../scripts/clv/settings.ts';
import type { GammaGammaParams } from '../../scripts/clv/types.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { generateTravel } from '../../scripts/ingest/synthetic/travel/generate.ts';
import { formatSummary } from '../../scripts/report/summary.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { dataFile } from '../support/data-files.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * Lifetime value in the real project (/work/main), built on synthetic data from the project's
 * generator: customer_clv_summary (SQL) → clv_predictions (TypeScript: choose, fit, predict per
 * combination) → customer_clv, retention_priorities, value_at_risk (SQL).
 */
const project = fileURLToPath(new URL('../..', import.meta.url));

let testDb: TestDatabase;
let db: Database;
let first: BuildOutcome;
/** the first (retail-only) build's customer_clv and as-of day, to compare a build with a second source against */
let retailOnly: { clv: Record<string, unknown>[]; asOf: Record<string, unknown>[] };

/** customer_clv without its build id, ordered: what a second source must leave unchanged */
const CLV_VALUES = `
  select customer_id, p_alive, churn_probability, expected_purchases_90d, expected_avg_order_value, clv_12m,
         clv_12m_if_active, source, model, time_unit, horizon_months, discount_rate
  from gold.customer_clv where source = 'retail_order_lines' order by customer_id`;
const AS_OF = `select distinct source, as_of_day::text from gold.customer_clv_summary order by source`;

async function rows<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

beforeAll(async () => {
  testDb = await createTestDatabase('clv_model');
  db = await openTestProjectDb(testDb.url, project);
  await generate(db.pool, { customers: 3000, seed: 11 });
  first = await buildProject(db, project, {});
  retailOnly = { clv: await rows(CLV_VALUES), asOf: await rows(AS_OF) };
}, 300_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

/** Relative difference, with an absolute floor for values at 0. */
function close(actual: number, expected: number, relative = 1e-9): boolean {
  return Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-12);
}

describe('lifetime value in a full build', () => {
  it('builds every CLV node, passes every data test and publishes', () => {
    const { report } = first;
    const clvNodes = report.nodes.filter((n) => /clv|retention|value_at_risk/.test(n.id));
    expect(Object.fromEntries(clvNodes.map((n) => [n.id, n.error ?? n.status]))).toEqual({
      'model.customer_clv_summary': 'success',
      'model.clv_predictions': 'success',
      'model.clv_parameters': 'success',
      'model.customer_clv': 'success',
      'model.retention_priorities': 'success',
      'model.value_at_risk': 'success',
    });
    expect(report.tests.filter((t) => t.status !== 'pass').map((t) => `${t.id}: ${t.message ?? t.status}`)).toEqual([]);
    expect(report.tests.map((t) => t.id)).toEqual(
      expect.arrayContaining([expect.stringContaining('clv_value_at_risk_reconciles'), expect.stringContaining('every_customer_has_clv')]),
    );
    expect(report.published).toBe(true);
  });

  it('gives every customer exactly one row, with probabilities in [0, 1] and values >= 0', async () => {
    const [counts] = await rows<Record<string, number>>(`
      select
        (select count(*)::int from gold.customer_features) as features,
        (select count(*)::int from gold.customer_clv) as clv,
        (select count(distinct customer_id)::int from gold.customer_clv) as distinct_clv,
        (select count(*)::int from gold.customer_features f
          where not exists (select 1 from gold.customer_clv c where c.customer_id = f.customer_id)) as missing,
        (select count(*)::int from gold.customer_clv
          where not (p_alive between 0 and 1) or churn_probability <> 1 - p_alive
             or expected_purchases_90d < 0 or expected_avg_order_value < 0 or clv_12m < 0) as out_of_range,
        (select count(*)::int from gold.retention_priorities) as ranked`);
    expect(counts!['features']).toBeGreaterThan(2000);
    expect(counts).toEqual({
      features: counts!['features'],
      clv: counts!['features'],
      distinct_clv: counts!['features'],
      missing: 0,
      out_of_range: 0,
      ranked: counts!['features'],
    });
    // real spread, not a degenerate fit
    const [spread] = await rows<{ low: number; high: number; repeaters: number }>(`
      select min(p_alive) as low, max(p_alive) as high,
             (select count(*)::int from gold.customer_clv_summary where x > 0) as repeaters
      from gold.customer_clv`);
    expect(spread!.low).toBeLessThan(0.5);
    expect(spread!.high).toBeGreaterThan(0.9);
    expect(spread!.repeaters).toBeGreaterThan(500);
  });

  it('derives x, t_x and age from silver orders by the documented grid rule', async () => {
    const sample = await rows<{ customer_id: string; days: string[]; as_of_day: string; x: number; t_x: number; age: number }>(`
      select s.customer_id::text, s.as_of_day::text, s.x, s.t_x, s.age,
             array_agg(distinct o.ordered_at::date::text order by o.ordered_at::date::text) as days
      from gold.customer_clv_summary as s
      join silver.orders as o on o.customer_id = s.customer_id
      group by 1, 2, 3, 4, 5
      order by md5(s.customer_id::text) limit 200`);
    const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    for (const c of sample) {
      const ages = c.days.map((d) => day(c.as_of_day) - day(d)).filter((a) => a >= 1);
      const age = Math.ceil(Math.max(...ages) / 7);
      expect({ x: c.x, t_x: c.t_x, age: c.age }, c.customer_id).toEqual({
        x: ages.length - 1,
        t_x: age - Math.ceil(Math.min(...ages) / 7),
        age,
      });
    }
  });

  it('records the fits: the purchase model chosen by holdout and Gamma-Gamma, both converged', async () => {
    const fits = await rows<{ model: string; role: string; converged: boolean; selection: string; holdout: { candidates: { model: string; converged: boolean }[] } | null; params: Record<string, number>; log_likelihood: number; standard_errors: Record<string, number | null> }>(
      `select model, role, converged, selection, holdout, params, log_likelihood, standard_errors
       from strata_meta.clv_fits where build_id = $1 order by role`,
      [first.report.buildId],
    );
    expect(fits.map((f) => [f.role, f.converged])).toEqual([
      ['purchase', true],
      ['spend', true],
    ]);
    const [purchase, spend] = fits;
    expect(purchase!.selection).toMatch(/^auto: lowest holdout MAE per customer over the last 13 weeks/);
    expect(purchase!.holdout!.candidates.map((c) => c.model)).toEqual(['bgnbd', 'mbgnbd', 'pareto']);
    expect(Object.values(purchase!.standard_errors).every((v) => typeof v === 'number' && v > 0)).toBe(true);
    expect(purchase!.log_likelihood).toBeLessThan(0);
    expect(spend!.model).toBe('gammagamma');
    expect(spend!.params['q']).toBeGreaterThan(1);
    const [applied] = await rows<{ model: string; build_id: string }>(`select distinct model, build_id::text from gold.customer_clv`);
    expect(applied).toEqual({ model: purchase!.model, build_id: String(first.report.buildId) });
  });

  it('applies in SQL exactly what the TypeScript library predicts (1e-9 relative)', async () => {
    await expectSqlMatchesLibrary(first.report.buildId, 'week');
  });

  it('ranks retention priorities by value at risk and reconciles value at risk per segment kind', async () => {
    const top = await rows<{ rank: number; value_at_risk: number; churn_probability: number; clv_12m: number }>(
      `select rank::int as rank, value_at_risk, churn_probability, clv_12m from gold.retention_priorities order by 1 limit 50`,
    );
    expect(top.map((r) => r.rank)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (let i = 1; i < top.length; i++) expect(top[i]!.value_at_risk).toBeLessThanOrEqual(top[i - 1]!.value_at_risk);
    for (const r of top) expect(close(r.value_at_risk, r.churn_probability * r.clv_12m, 1e-12)).toBe(true);
    const [max] = await rows<{ v: number }>(`select max(churn_probability * clv_12m) as v from gold.customer_clv`);
    expect(top[0]!.value_at_risk).toBe(max!.v);

    const kinds = await rows<{ segment_kind: string; customers: number; value_at_risk: number; do_nothing: number; expected: number }>(`
      select segment_kind, sum(customers)::int as customers, sum(value_at_risk) as value_at_risk,
             sum(do_nothing_loss) as do_nothing, sum(expected_clv_12m) as expected
      from gold.value_at_risk group by segment_kind order by segment_kind`);
    const [total] = await rows<{ customers: number; value_at_risk: number; do_nothing: number; expected: number }>(`
      select count(*)::int as customers, sum(churn_probability * clv_12m) as value_at_risk,
             sum(churn_probability * clv_12m_if_active) as do_nothing, sum(clv_12m) as expected
      from gold.customer_clv`);
    expect(kinds.map((k) => k.segment_kind)).toEqual(['all', 'kmeans', 'rfm']);
    for (const k of kinds) {
      expect(k.customers, k.segment_kind).toBe(total!.customers);
      expect(close(k.value_at_risk, total!.value_at_risk), k.segment_kind).toBe(true);
      expect(close(k.do_nothing, total!.do_nothing), k.segment_kind).toBe(true);
      expect(close(k.expected, total!.expected), k.segment_kind).toBe(true);
    }
    expect(total!.value_at_risk).toBeGreaterThan(0);
    expect(total!.do_nothing).toBeGreaterThan(total!.value_at_risk);
  });

  it('labels every value with the unit of its source (seed value_units): one business, one unit, no warning', async () => {
    expect(await rows(`select distinct value_unit from gold.customer_clv`)).toEqual([{ value_unit: 'GBP' }]);
    expect(await rows(`select distinct value_unit from gold.retention_priorities`)).toEqual([{ value_unit: 'GBP' }]);
    // a segment with customers is in GBP; an RFM segment nobody falls in adds nothing, in no unit
    const units = await rows<{ has_customers: boolean; value_unit: string | null }>(
      `select distinct customers > 0 as has_customers, value_unit from gold.value_at_risk order by 1`,
    );
    expect(units.filter((u) => u.has_customers)).toEqual([{ has_customers: true, value_unit: 'GBP' }]);
    expect(units.filter((u) => !u.has_customers).every((u) => u.value_unit === null)).toBe(true);
    expect(first.report.tests.find((t) => t.id === 'test.singular.gold_mixes_value_units')?.status).toBe('pass');
  });

  it('publishes without lifetime value when too few customers repeat for the fit, records why and warns', async () => {
    const failed = await buildProject(db, project, { vars: { clv_min_repeat_customers: 10_000_000 } });
    expect(failed.exitCode).toBe(0);
    expect(failed.report.published).toBe(true);
    const byId = new Map(failed.report.nodes.map((n) => [n.id, n]));
    for (const id of ['model.clv_predictions', 'model.customer_clv', 'model.value_at_risk']) expect(byId.get(id)!.status, id).toBe('success');
    expect(byId.get('model.clv_predictions')!.rows).toBe(0);
    // the failure is a warning in the build summary, with the source and the reason among its failing rows
    const warned = failed.report.tests.filter((t) => t.status !== 'pass');
    expect(warned.map((t) => [t.id, t.status])).toEqual([['test.singular.clv_sources_without_lifetime_value', 'warn']]);
    const [reason] = await rows<{ source: string; model: string; reason: string }>(
      `select f.row_data ->> 'source' as source, f.row_data ->> 'model' as model, f.row_data ->> 'reason' as reason
       from strata_meta.test_failures f where f.build_id = $1 and f.test_id = 'test.singular.clv_sources_without_lifetime_value'`,
      [failed.report.buildId],
    );
    expect(reason).toMatchObject({ source: 'retail_order_lines', model: expect.stringMatching(/^(bgnbd|mbgnbd|pareto)$/) });
    expect(reason!.reason).toMatch(/too few repeat customers \(\d+ with frequency > 0; at least 10000000/);
    expect(await rows(`select * from gold.customer_clv`)).toEqual([]);
    const [record] = await rows<{ source: string; converged: boolean; error: string; params: unknown }>(
      `select source, converged, error, params from strata_meta.clv_fits where build_id = $1 and role = 'purchase'`,
      [failed.report.buildId],
    );
    expect(record).toMatchObject({ source: 'retail_order_lines', converged: false, params: null });
    expect(record!.error).toMatch(/too few repeat customers/);
  }, 300_000);

  it('refuses an unknown clv_model or time unit at compile time, before anything is built', async () => {
    const [{ n: buildsBefore }] = (await rows<{ n: number }>(`select count(*)::int as n from strata_meta.builds`)) as [{ n: number }];
    await expect(buildProject(db, project, { vars: { clv_model: 'gamma-poisson' } })).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof CompileErrors &&
        error.exitCode === 2 &&
        /customer_clv_summary \(models\/gold\/customer_clv_summary\.sql:\d+\).*clv_model must be one of auto, bgnbd, mbgnbd, pareto; got 'gamma-poisson'/.test(error.message),
    );
    await expect(buildProject(db, project, { vars: { clv_time_unit: 'fortnight' } })).rejects.toThrow(/clv_time_unit must be one of day, week, month/);
    const [{ n: buildsAfter }] = (await rows<{ n: number }>(`select count(*)::int as n from strata_meta.builds`)) as [{ n: number }];
    expect(buildsAfter).toBe(buildsBefore);
  });

  it('applies a fixed model in days exactly as the library does', async () => {
    const fixed = await buildProject(db, project, { vars: { clv_model: 'pareto', clv_time_unit: 'day', clv_horizon_months: 6 } });
    expect(fixed.report.nodes.filter((n) => n.status !== 'success').map((n) => `${n.id}: ${n.error}`)).toEqual([]);
    expect(fixed.report.published).toBe(true);
    const [fit] = await rows<{ selection: string; holdout: unknown }>(
      `select selection, holdout from strata_meta.clv_fits where build_id = $1 and role = 'purchase'`,
      [fixed.report.buildId],
    );
    expect(fit).toEqual({ selection: 'var clv_model = pareto', holdout: null });
    expect(await rows(`select distinct model, time_unit, horizon_months from gold.customer_clv`)).toEqual([
      { model: 'pareto', time_unit: 'day', horizon_months: 6 },
    ]);
    await expectSqlMatchesLibrary(fixed.report.buildId, 'day', 6);
  }, 300_000);

  it('fits a second source on its own: retail CLV unchanged, the source that fails published without CLV, warned and recorded', async () => {
    // a retail-only project's summary is measured to customer_features' as-of day, as before per-source fitting
    expect(retailOnly.asOf).toEqual([{ source: 'retail_order_lines', as_of_day: expect.any(String) }]);
    const [featuresAsOf] = await rows<{ day: string }>(`select max(as_of)::date::text as day from gold.customer_features`);
    expect(retailOnly.asOf[0]!['as_of_day']).toBe(featuresAsOf!.day);

    // six generated travellers (trips in 2023, twelve years after the retail data): too few repeat customers to fit
    await generateTravel(db.pool, { users: 6, seed: 5 });
    const mixed = await buildProject(db, project, {});
    expect(mixed.exitCode, whyNot(mixed)).toBe(0);
    // (the travellers also move the feature mix, which feature_drift_warn reports; not a CLV matter)
    expect(mixed.report.tests.filter((t) => t.status === 'fail' || t.status === 'error')).toEqual([]);
    expect(mixed.report.tests.filter((t) => t.status !== 'pass' && t.id.includes('clv')).map((t) => [t.id, t.status])).toEqual([
      ['test.singular.clv_sources_without_lifetime_value', 'warn'],
    ]);
    // the summary's warning names the source, the failed model and the reason
    expect(formatSummary(mixed.report)).toMatch(
      /WARN +test\.singular\.clv_sources_without_lifetime_value .*: 1 failing row: source=stg_travel_order_lines, customers=\d+, model=bgbb, build_id=\d+, reason=bgbb fit: too few repeat customers/,
    );

    // retail: its own as-of day and fits, so every value equals the retail-only build's exactly
    expect(await rows(AS_OF)).toEqual([retailOnly.asOf[0], { source: 'stg_travel_order_lines', as_of_day: expect.any(String) }]);
    expect(await rows(CLV_VALUES)).toEqual(retailOnly.clv);
    expect(await rows(`select source from gold.clv_parameters`)).toEqual([{ source: 'retail_order_lines' }]);

    // travel: in customer_features, not in customer_clv; the failure recorded with its source, model and reason
    const [travel] = await rows<{ features: number; clv: number }>(`
      select (select count(*)::int from gold.customer_features where customer_id like 'tt-%') as features,
             (select count(*)::int from gold.customer_clv where customer_id like 'tt-%' or source <> 'retail_order_lines') as clv`);
    expect(travel!.features).toBeGreaterThan(0);
    expect(travel!.clv).toBe(0);
    const fits = await rows<{ source: string; role: string; converged: boolean; error: string | null }>(
      `select source, role, converged, error from strata_meta.clv_fits where build_id = $1 order by source, role`,
      [mixed.report.buildId],
    );
    expect(fits.map((f) => [f.source, f.role, f.converged])).toEqual([
      ['retail_order_lines', 'purchase', true],
      ['retail_order_lines', 'spend', true],
      ['stg_travel_order_lines', 'purchase', false],
    ]);
    expect(fits[2]!.error).toMatch(/too few repeat customers \(\d with frequency > 0; at least 10 /);
    const [warning] = await rows<{ source: string; customers: number; reason: string }>(
      `select row_data ->> 'source' as source, (row_data ->> 'customers')::int as customers, row_data ->> 'reason' as reason
       from strata_meta.test_failures where build_id = $1 and test_id = 'test.singular.clv_sources_without_lifetime_value'`,
      [mixed.report.buildId],
    );
    expect(warning).toEqual({ source: 'stg_travel_order_lines', customers: travel!.features, reason: fits[2]!.error });

    // gold.score_customer scores with the models of the source it is given (by default the largest)
    const score = `
      select abs(sc.clv_12m - c.clv_12m) / c.clv_12m as relative
      from gold.customer_features f
      join gold.customer_clv_summary s using (customer_id)
      join gold.customer_clv c using (customer_id)
      cross join lateral gold.score_customer(to_jsonb(f) || jsonb_build_object('x', s.x, 't_x', s.t_x, 'age', s.age,
                                              'repeat_order_value', s.repeat_order_value) || $1::jsonb) sc
      where c.clv_12m > 0 order by f.customer_id limit 1`;
    for (const extra of [{}, { source: 'retail_order_lines' }]) {
      const [scored] = await rows<{ relative: number }>(score, [JSON.stringify(extra)]);
      expect(scored!.relative, JSON.stringify(extra)).toBeLessThan(1e-9);
    }
    await expect(rows(score, [JSON.stringify({ source: 'stg_travel_order_lines' })])).rejects.toThrow(
      /score_customer: source stg_travel_order_lines has no lifetime value in the published build/,
    );
  }, 300_000);

  it('fits a discrete source (the airline, calendar months) by the BG/BB beside retail: retail CLV unchanged to the last bit', async () => {
    // the real airline files: a source declared discrete in schema.yml (var clv_discrete_sources)
    await loadFile(db.pool, { file: dataFile('airline_loyalty/customer_loyalty_history.csv.gz') });
    await loadFile(db.pool, { file: dataFile('airline_loyalty/customer_flight_activity.csv.gz') });
    const withAirline = await buildProject(db, project, {});
    expect(withAirline.exitCode, whyNot(withAirline)).toBe(0);
    expect(withAirline.report.published).toBe(true);
    const fits = await rows<{ source: string; model: string; converged: boolean; time_unit: string }>(
      `select source, model, converged, time_unit from strata_meta.clv_fits where build_id = $1 and role = 'purchase' order by source`,
      [withAirline.report.buildId],
    );
    // refit policy: the default (refit_growth 0.1). Retail's customers did not change, so this
    // build keeps retail's published fit and only re-scores (docs/models.md, "Refitting"); the
    // airline and travel sources are fitted
    expect(fits.map((f) => [f.source, f.model, f.converged, f.time_unit])).toEqual([
      ['stg_airline_flight_activity', 'bgbb', true, 'calendar_month'],
      ['stg_travel_order_lines', 'bgbb', false, 'calendar_month'],
    ]);
    const [retailFit] = await rows<{ build_id: string; model: string; time_unit: string }>(
      `select f.build_id, f.model, f.time_unit from strata_meta.clv_fits f
        where f.role = 'purchase' and f.source = 'retail_order_lines'
          and f.build_id = (select distinct build_id from gold.clv_predictions where source = 'retail_order_lines')`,
    );
    expect(Number(retailFit!.build_id)).toBeLessThan(withAirline.report.buildId);
    expect(retailFit).toMatchObject({ model: expect.stringMatching(/^(bgnbd|mbgnbd|pareto)$/), time_unit: 'week' });
    // every retail value, p_alive to clv_12m, is bit for bit the retail-only build's
    expect(await rows(CLV_VALUES)).toEqual(retailOnly.clv);
    expect(await rows(`select source, model, time_unit from gold.clv_parameters order by source`)).toEqual([
      { source: 'retail_order_lines', model: retailFit!.model, time_unit: 'week' },
      { source: 'stg_airline_flight_activity', model: 'bgbb', time_unit: 'calendar_month' },
    ]);
    const [members] = await rows<{ n: number }>(`select count(*)::int as n from gold.customer_clv where source = 'stg_airline_flight_activity'`);
    expect(members!.n).toBe(15_167);

    // three sources, three units: each customer's values in her source's unit; totals over all of
    // them say 'mixed', and the build summary warns, naming each unit's sources and customers
    expect(await rows(`select distinct source, value_unit from gold.customer_clv order by source`)).toEqual([
      { source: 'retail_order_lines', value_unit: 'GBP' },
      { source: 'stg_airline_flight_activity', value_unit: 'km' },
    ]);
    expect(await rows(`select value_unit from gold.value_at_risk where segment_kind = 'all'`)).toEqual([{ value_unit: 'mixed' }]);
    expect(withAirline.report.tests.find((t) => t.id === 'test.singular.gold_mixes_value_units')?.status).toBe('warn');
    const warned = await rows(
      `select row_data ->> 'value_unit' as value_unit, row_data ->> 'sources' as sources
         from strata_meta.test_failures where build_id = $1 and test_id = 'test.singular.gold_mixes_value_units'
        order by 1`,
      [withAirline.report.buildId],
    );
    expect(warned).toEqual([
      { value_unit: 'GBP', sources: 'retail_order_lines' },
      { value_unit: 'USD', sources: 'stg_travel_order_lines' },
      { value_unit: 'km', sources: 'stg_airline_flight_activity' },
    ]);
  }, 900_000);

  it('refuses to publish values in no known unit: a source missing from seed value_units fails the build, named', async () => {
    const published = await rows(`select gen, data_build from strata_meta.live where node_id = 'model.customer_clv'`);
    const copy = await mkdtemp(join(tmpdir(), 'strata-units-'));
    try {
      // the project's files without its packages (linked: the TypeScript models import them), builds or database
      await cp(project, copy, { recursive: true, filter: (from) => !/[/](node_modules|target|\.strata|\.git)$/.test(from) });
      await symlink(join(project, 'node_modules'), join(copy, 'node_modules'));
      const seed = join(copy, 'seeds', 'value_units.csv');
      await writeFile(seed, (await readFile(seed, 'utf8')).split('\n').filter((l) => !l.startsWith('stg_airline_flight_activity,')).join('\n'));
      const outcome = await buildProject(db, copy, {});
      expect(outcome.exitCode).toBe(1);
      expect(outcome.report.published).toBe(false);
      const failed = outcome.report.tests.filter((t) => t.status === 'fail').map((t) => t.id);
      expect(failed, whyNot(outcome)).toContain('test.relationships.customer_clv_summary.source');
      const [row] = await rows<{ source: string }>(
        `select distinct row_data ->> 'source' as source from strata_meta.test_failures
          where build_id = $1 and test_id = 'test.relationships.customer_clv_summary.source'`,
        [outcome.report.buildId],
      );
      expect(row).toEqual({ source: 'stg_airline_flight_activity' });
      // nothing published moved
      expect(await rows(`select gen, data_build from strata_meta.live where node_id = 'model.customer_clv'`)).toEqual(published);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 900_000);
});

/**
 * For 300 customers (an md5 sample), the published customer_clv row against the library's
 * predict* functions on the same summary and the parameters recorded in strata_meta.clv_fits.
 */
async function expectSqlMatchesLibrary(buildId: number, unit: TimeUnitVar, horizonMonths = 12): Promise<void> {
  const fits = await rows<{ model: string; params: Record<string, number> }>(
    `select model, params from strata_meta.clv_fits where build_id = $1 and converged`,
    [buildId],
  );
  const purchase = fits.find((f) => f.model !== 'gammagamma')!;
  const model = toPurchaseModel({ model: purchase.model as 'bgnbd', params: purchase.params });
  const spend = fits.find((f) => f.model === 'gammagamma')!.params as unknown as GammaGammaParams;
  const customers = await rows<{ x: number; t_x: number; age: number; m: number | null; p_alive: number; e90: number; eom: number; clv: number; clv_if: number }>(`
    select s.x, s.t_x, s.age, s.repeat_order_value as m, c.p_alive, c.expected_purchases_90d as e90,
           c.expected_avg_order_value as eom, c.clv_12m as clv, c.clv_12m_if_active as clv_if
    from gold.customer_clv as c
    join gold.customer_clv_summary as s using (customer_id)
    order by md5(c.customer_id::text) limit 300`);
  expect(customers.some((c) => c.x === 0) && customers.some((c) => c.x > 3)).toBe(true);
  for (const c of customers) {
    const row = { x: c.x, tx: c.t_x, T: c.age, monetary: c.m ?? 0 };
    const label = JSON.stringify(row);
    const pAlive = predictPAlive(model, row);
    expect(close(c.p_alive, pAlive), `${label} p_alive ${c.p_alive} vs ${pAlive}`).toBe(true);
    const e90 = predictPurchases(model, row, 90 / DAYS_PER_UNIT[unit]);
    expect(close(c.e90, e90), `${label} 90d ${c.e90} vs ${e90}`).toBe(true);
    const eom = predictSpend(spend, row);
    expect(close(c.eom, eom), `${label} E[M] ${c.eom} vs ${eom}`).toBe(true);
    const clv = predictClv(model, spend, row, { timeUnit: TIME_UNITS[unit], horizonMonths, monthlyDiscountRate: 0.01 });
    expect(close(c.clv, clv), `${label} clv ${c.clv} vs ${clv}`).toBe(true);
    if (pAlive > 1e-6) expect(close(c.clv_if * pAlive, clv, 1e-9), `${label} clv if active`).toBe(true);
  }
}
