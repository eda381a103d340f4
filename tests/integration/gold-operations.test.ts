import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import { predictPAlive, predictPurchases } from '../../scripts/clv/predict.ts';
import type { PurchaseModel } from '../../scripts/clv/types.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { loadOperations } from '../../scripts/load/operations.ts';
import { cdnowSummary } from '../unit/clv/cdnow.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The gold operations (operations/*.sql) on a build of the real project over generated data:
 * each answer is checked against an independent query or computation, each invalid argument
 * against its error, and everything is called as the BI role, which must not reach silver or
 * bronze through them. Then gold.score_customer: scoring every customer's own features returns
 * what gold holds, and its SQL lifetime-value formulas agree with scripts/clv for all three models.
 */
const project = fileURLToPath(new URL('../..', import.meta.url));

let testDb: TestDatabase;
let db: Database;
let bi: pg.Pool;
let outcome: BuildOutcome;

type Row = Record<string, unknown>;

async function owner<T = Row>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

async function asBi<T = Row>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await bi.query(text, values)).rows as T[];
}

async function biError(text: string, values: unknown[] = []): Promise<string> {
  try {
    await bi.query(text, values);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

const num = (v: unknown): number => Number(v);

function close(actual: unknown, expected: unknown, relative = 1e-9): boolean {
  const [a, e] = [num(actual), num(expected)];
  return Math.abs(a - e) <= relative * Math.max(Math.abs(e), 1e-9);
}

beforeAll(async () => {
  testDb = await createTestDatabase('gold_operations');
  db = await openTestProjectDb(testDb.url, project);
  await generate(db.pool, { customers: 1200, seed: 5 });
  outcome = await buildProject(db, project, {});
  const password = (await readFile(join(project, '.strata', 'bi-password'), 'utf8')).trim();
  const url = new URL(testDb.url);
  url.username = 'strata_bi';
  url.password = password;
  bi = new pg.Pool({ connectionString: url.toString(), max: 2 });
}, 300_000);

afterAll(async () => {
  await bi?.end();
  await db?.close();
  await testDb?.drop();
});

describe('the operations are published with the build', () => {
  it('publishes, with every documented operation in gold, commented, and runnable by the BI role', async () => {
    expect(outcome.report.published, whyNot(outcome)).toBe(true);
    const documented = (await loadOperations(project)).operations;
    const functions = await owner<{ name: string; comment: string | null; secdef: boolean; bi: boolean }>(`
      select p.proname as name, obj_description(p.oid, 'pg_proc') as comment, p.prosecdef as secdef,
             has_function_privilege('strata_bi', p.oid, 'execute') as bi
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'gold'`);
    expect(new Set(functions.map((f) => f.name))).toEqual(new Set(documented.map((o) => o.name)));
    for (const f of functions) {
      expect(f.comment, f.name).toBeTruthy();
      // security invoker: a function never reads more than its caller may
      expect(f.secdef, f.name).toBe(false);
      expect(f.bi, f.name).toBe(true);
    }
    expect(functions.find((f) => f.name === 'summary_by')!.comment).toContain('Arguments:');
  });

  it('reads only gold: no operation names another schema, and the BI role still cannot read silver or bronze', async () => {
    const dir = join(project, 'operations');
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.sql'))) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/\b(bronze|silver|landing|strata_meta|public)\.[a-z_]/i);
    }
    expect(await biError('select count(*) from silver.customers')).toContain('permission denied');
    expect(await biError('select count(*) from bronze.retail_order_lines')).toContain('permission denied');
    expect(await biError('select count(*) from strata_meta.clv_fits')).toContain('permission denied');
  });
});

describe('each operation against an independent query', () => {
  it('kpis_baseline equals gold.kpis and the value_at_risk total', async () => {
    const [k] = await asBi('select * from gold.kpis_baseline()');
    const [kpis] = await owner('select * from gold.kpis');
    const [all] = await owner(`select * from gold.value_at_risk where segment_kind = 'all'`);
    expect(k!['customers']).toBe(kpis!['customers']);
    expect(k!['active_customers']).toBe(kpis!['active_customers']);
    expect(k!['churn_rate']).toBe(kpis!['churn_rate']);
    expect(k!['orders']).toBe(kpis!['orders']);
    expect(k!['revenue']).toBe(kpis!['revenue']);
    expect(k!['average_order_value']).toBe(kpis!['average_order_value']);
    expect(close(k!['value_at_risk'], all!['value_at_risk'])).toBe(true);
    expect(close(k!['do_nothing_loss'], all!['do_nothing_loss'])).toBe(true);
    expect(close(k!['expected_clv_12m'], all!['expected_clv_12m'])).toBe(true);
    // the money columns' unit, as value_at_risk labels it (seed value_units: the generator's pounds)
    expect([k!['value_unit'], all!['value_unit']]).toEqual(['GBP', 'GBP']);
  });

  it('summary_by(country) and kpis_slice agree with a hand-written group by', async () => {
    const got = await asBi('select * from gold.summary_by($1)', ['country']);
    const expected = await owner<Row>(`
      select f.country, count(*)::int as customers, sum(f.monetary)::text as revenue,
             count(*) filter (where f.is_active)::int as active, sum(c.churn_probability * c.clv_12m) as var
      from gold.customer_features f join gold.customer_clv c using (customer_id)
      group by f.country`);
    expect(got.length).toBe(expected.length);
    for (const e of expected) {
      const g = got.find((r) => r['dimension_value'] === e['country'])!;
      expect(Number(g['customers'])).toBe(e['customers']);
      expect(Number(g['active_customers'])).toBe(e['active']);
      expect(Number(g['revenue'])).toBe(Number(e['revenue']));
      expect(close(g['value_at_risk'], e['var'])).toBe(true);
    }
    const biggest = got[0]!;
    const [slice] = await asBi('select * from gold.kpis_slice($1, $2)', ['country', biggest['dimension_value']]);
    expect(slice).toEqual(biggest);
    expect(got.reduce((s, r) => s + Number(r['share_of_customers']), 0)).toBeCloseTo(1, 12);
  });

  it('summary_by(segment) matches segment_profiles; value_at_risk_by(rfm_segment) matches gold.value_at_risk', async () => {
    const segments = await asBi('select * from gold.summary_by($1)', ['segment']);
    const profiles = await owner('select segment_name, customers, revenue from gold.segment_profiles');
    expect(segments.length).toBe(profiles.length);
    for (const p of profiles) {
      const s = segments.find((r) => r['dimension_value'] === p['segment_name'])!;
      expect(Number(s['customers'])).toBe(Number(p['customers']));
      expect(Number(s['revenue'])).toBe(Number(p['revenue']));
    }
    const byRfm = await asBi('select * from gold.value_at_risk_by($1)', ['rfm_segment']);
    const model = await owner(`select * from gold.value_at_risk where segment_kind = 'rfm' and customers > 0`);
    expect(byRfm.length).toBe(model.length);
    for (const m of model) {
      const r = byRfm.find((x) => x['dimension_value'] === m['segment'])!;
      expect(Number(r['customers'])).toBe(Number(m['customers']));
      expect(close(r['value_at_risk'], m['value_at_risk'])).toBe(true);
      expect(close(r['do_nothing_loss'], m['do_nothing_loss'])).toBe(true);
    }
    const values = byRfm.map((r) => num(r['value_at_risk']));
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it('dimensions() lists the columns the property files flag (meta.dimension), not every text column', async () => {
    const listed = await asBi<{ dimension: string; source_view: string; source_column: string }>(
      'select dimension, source_view, source_column from gold.dimensions()',
    );
    const names = listed.map((d) => d.dimension);
    // the generic gold's and the (published, empty) domains' real dimensions
    expect(names).toEqual(expect.arrayContaining(['country', 'segment', 'rfm_segment', 'is_active', 'province', 'loyalty_card', 'home_country', 'arm']));
    expect(listed.find((d) => d.dimension === 'segment')).toEqual({ dimension: 'segment', source_view: 'customer_segments', source_column: 'segment_name' });
    // text and boolean columns that are model outputs, ids or constants are not dimensions any more
    for (const junk of ['driver_1', 'driver_2', 'driver_3', 'model_label', 'rfm_cell', 'kmeans_segment', 'model', 'time_unit', 'label', 'role', 'loyalty_number', 'user_id']) {
      expect(names, junk).not.toContain(junk);
    }
    // exactly the flags of the property files, each once
    const { loadProject } = await import('../../scripts/load/index.ts');
    const loaded = await loadProject(project);
    const flagged = [...loaded.properties.values()].flatMap((p) => p.columns.flatMap((c) => (c.dimension ? [c.dimension] : [])));
    expect([...names].sort()).toEqual([...flagged].sort());
  });

  it('a declared domain dimension works when its view has rows; an undeclared column is named as missing', async () => {
    // a text column of a customer-grain view is not a dimension unless a property file says so
    await owner(`create view gold.test_member_tiers as
      select customer_id, case when frequency >= 5 then 'Gold' else 'Star' end as card_tier from gold.customer_features`);
    await owner('grant select on gold.test_member_tiers to strata_bi');
    // loyalty_members (airline, published empty here) steps aside for a view with tiers
    await owner('alter view gold.loyalty_members rename to loyalty_members__published');
    await owner(`create view gold.loyalty_members as
      select customer_id, case when frequency >= 5 then 'Aurora' else 'Star' end as loyalty_card, 'Ontario'::text as province
        from gold.customer_features`);
    await owner('grant select on gold.loyalty_members to strata_bi');
    try {
      expect(await biError('select * from gold.summary_by($1)', ['card_tier'])).toMatch(
        /dimension "card_tier" does not exist in this build's gold; available dimensions: .*country.*loyalty_card.*rfm_segment.*segment/,
      );
      const tiers = await asBi('select dimension_value, customers from gold.summary_by($1)', ['loyalty_card']);
      const [counts] = await owner<{ aurora: number; star: number }>(
        `select count(*) filter (where frequency >= 5)::int as aurora, count(*) filter (where frequency < 5)::int as star from gold.customer_features`,
      );
      expect(Object.fromEntries(tiers.map((t) => [t['dimension_value'], Number(t['customers'])]))).toEqual({ Aurora: counts!.aurora, Star: counts!.star });
    } finally {
      await owner('drop view gold.test_member_tiers, gold.loyalty_members');
      await owner('alter view gold.loyalty_members__published rename to loyalty_members');
    }
  });

  it('top_risk_customers and top_value_customers list the customers an ordered query lists', async () => {
    const risk = await asBi('select customer_id from gold.top_risk_customers(25)');
    const expectedRisk = await owner(
      'select customer_id::text from gold.customer_clv order by churn_probability desc, clv_12m_if_active desc, customer_id limit 25',
    );
    expect(risk).toEqual(expectedRisk);
    const value = await asBi('select customer_id, clv_12m from gold.top_value_customers(10)');
    const expectedValue = await owner('select customer_id::text, clv_12m from gold.customer_clv order by clv_12m desc, customer_id limit 10');
    expect(value).toEqual(expectedValue);
  });

  it('churn_by_clv_tier cuts the customers as ntile does, computed here in TypeScript', async () => {
    const tiers = await asBi('select * from gold.churn_by_clv_tier(4)');
    const customers = await owner<{ clv: number; churn: number }>(
      'select clv_12m as clv, churn_probability as churn from gold.customer_clv order by clv_12m desc, customer_id',
    );
    const n = customers.length;
    // ntile: the first n % 4 tiers get one more customer
    const sizes = [0, 1, 2, 3].map((i) => Math.floor(n / 4) + (i < n % 4 ? 1 : 0));
    let start = 0;
    sizes.forEach((size, i) => {
      const tier = customers.slice(start, start + size);
      start += size;
      expect(Number(tiers[i]!['customers'])).toBe(size);
      expect(tiers[i]!['max_clv_12m']).toBe(tier[0]!.clv);
      expect(tiers[i]!['min_clv_12m']).toBe(tier[size - 1]!.clv);
      expect(close(tiers[i]!['value_at_risk'], tier.reduce((s, c) => s + c.churn * c.clv, 0))).toBe(true);
    });
  });

  it('tenure_analysis and correlation_drivers agree with TypeScript over the raw rows', async () => {
    const rows = await owner<{ tenure: number; monetary: string; churn: number }>(
      'select f.tenure_days as tenure, f.monetary, c.churn_probability as churn from gold.customer_features f join gold.customer_clv c using (customer_id)',
    );
    const bands = await asBi('select tenure_band, customers from gold.tenure_analysis()');
    const inBand = (low: number, high: number) => rows.filter((r) => r.tenure >= low && r.tenure <= high).length;
    expect(bands.map((b) => Number(b['customers']))).toEqual([
      inBand(0, 90), inBand(91, 180), inBand(181, 365), inBand(366, 730), inBand(731, Infinity),
    ]);
    const xs = rows.map((r) => Number(r.monetary));
    const ys = rows.map((r) => r.churn);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const [mx, my] = [mean(xs), mean(ys)];
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
    const pearson = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    const drivers = await asBi('select * from gold.correlation_drivers($1)', ['churn_probability']);
    expect(close(drivers.find((d) => d['feature'] === 'monetary')!['correlation'], pearson, 1e-9)).toBe(true);
    const strengths = drivers.filter((d) => d['correlation'] !== null).map((d) => Math.abs(num(d['correlation'])));
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
  });

  it('do_nothing_scenario, revenue_impact and single_priority_initiative add up from customer_clv and retention_priorities', async () => {
    const [all] = await owner(`select * from gold.value_at_risk where segment_kind = 'all'`);
    const scenario = await asBi('select * from gold.do_nothing_scenario(12)');
    expect(scenario[0]!['segment']).toBe('All customers');
    expect(close(scenario[0]!['value_lost'], all!['do_nothing_loss'])).toBe(true);
    const perSegment = scenario.slice(1).reduce((s, r) => s + num(r['value_lost']), 0);
    expect(close(perSegment, all!['do_nothing_loss'])).toBe(true);

    const [impact] = await asBi('select * from gold.revenue_impact(0.1)');
    expect(close(impact!['value_saved'], 0.1 * num(all!['do_nothing_loss']))).toBe(true);
    expect(close(impact!['expected_value_with_programme'], num(all!['expected_clv_12m']) + 0.1 * num(all!['do_nothing_loss']))).toBe(true);

    const initiative = await asBi('select * from gold.single_priority_initiative(1000, 12.5)');
    const [top] = await owner<{ covered: number }>('select sum(value_at_risk) as covered from gold.retention_priorities where rank <= 80');
    expect(initiative[0]!['segment']).toBe('All contacted');
    expect(Number(initiative[0]!['customers_contacted'])).toBe(80);
    expect(initiative[0]!['cost']).toBe(1000);
    expect(close(initiative[0]!['value_at_risk_covered'], top!.covered)).toBe(true);
  });

  it('segment_comparison compares two segments metric by metric', async () => {
    const [a, b] = await owner<{ segment_name: string; n: number; m: string }>(
      'select segment_name, count(*)::int as n, avg(f.monetary)::float8::text as m from gold.customer_segments s join gold.customer_features f using (customer_id) group by segment_name order by segment_name limit 2',
    );
    const rows = await asBi('select * from gold.segment_comparison($1, $2)', [a!.segment_name, b!.segment_name]);
    const customers = rows.find((r) => r['metric'] === 'customers')!;
    expect([customers['segment_a'], customers['segment_b']]).toEqual([a!.n, b!.n]);
    const monetary = rows.find((r) => r['metric'] === 'monetary')!;
    expect(close(monetary['segment_a'], Number(a!.m), 1e-12)).toBe(true);
    expect(monetary['difference']).toBe(num(monetary['segment_b']) - num(monetary['segment_a']));
  });

  it('refuses invalid arguments with an error that says what is allowed', async () => {
    const cases: [string, unknown[], RegExp][] = [
      ['select * from gold.kpis_slice($1, $2)', ['country', 'Narnia'], /no customer has country = "Narnia"; values \(largest first\): /],
      ['select * from gold.kpis_slice($1, $2)', [null, 'x'], /kpis_slice needs a dimension and a value/],
      ['select * from gold.summary_by($1)', ['planet'], /dimension "planet" does not exist/],
      ['select * from gold.top_risk_customers($1)', [0], /n must be a whole number from 1 to 1000, got 0/],
      ['select * from gold.top_value_customers($1)', [5000], /n must be a whole number from 1 to 1000/],
      ['select * from gold.churn_by_clv_tier($1)', [1], /tiers must be a whole number from 2 to 20/],
      ['select * from gold.correlation_drivers($1)', ['monetary'], /target must be churn_probability, clv_12m/],
      ['select * from gold.do_nothing_scenario($1)', [6], /this build values customers over 12 months/],
      ['select * from gold.revenue_impact($1)', [1.5], /retention_uplift .* above 0 and at most 1/],
      ['select * from gold.single_priority_initiative($1, $2)', [100, 0], /budget and cost_per_contact must be positive/],
      ['select * from gold.single_priority_initiative($1, $2)', [5, 10], /does not pay for one contact/],
      ['select * from gold.segment_comparison($1, $2)', ['Champions', 'Nobody'], /no customer is in segment "Nobody"; segments/],
      ['select * from gold.score_customer($1)', [{ recency_days: 3 }], /score_customer: missing frequency, monetary/],
    ];
    for (const [text, values, pattern] of cases) expect(await biError(text, values), text).toMatch(pattern);
  });
});

describe('gold.score_customer', () => {
  it('returns, for every customer, her own segment, RFM segment and CLV (to 1e-9) from her features', async () => {
    const [result] = await asBi<Record<string, number>>(`
      with inputs as (
        select f.customer_id,
               to_jsonb(f) || jsonb_build_object('x', s.x, 't_x', s.t_x, 'age', s.age, 'repeat_order_value', s.repeat_order_value) as customer
        from gold.customer_features f join gold.customer_clv_summary s using (customer_id)
      ),
      scored as (select i.customer_id, sc.* from inputs i cross join lateral gold.score_customer(i.customer) sc)
      select
        count(*)::int as customers,
        count(*) filter (where sc.segment_id <> g.segment_id or sc.segment_name <> g.segment_name)::int as other_segment,
        count(*) filter (where sc.rfm_cell <> r.rfm_cell or sc.rfm_segment <> r.rfm_segment or sc.fm_score <> r.fm_score)::int as other_rfm,
        max(abs(sc.clv_12m - c.clv_12m) / greatest(abs(c.clv_12m), 1e-12)) as clv_relative,
        max(abs(sc.clv_12m_if_active - c.clv_12m_if_active) / greatest(abs(c.clv_12m_if_active), 1e-12)) as clv_active_relative,
        max(abs(sc.p_alive - c.p_alive)) as p_alive,
        max(abs(sc.expected_purchases_90d - c.expected_purchases_90d) / greatest(c.expected_purchases_90d, 1e-12)) as purchases_relative,
        max(abs(sc.expected_avg_order_value - c.expected_avg_order_value) / c.expected_avg_order_value) as order_value_relative
      from scored sc
      join gold.customer_segments g using (customer_id)
      join gold.customer_rfm r using (customer_id)
      join gold.customer_clv c using (customer_id)`);
    const [count] = await owner<{ n: number }>('select count(*)::int as n from gold.customer_features');
    expect(result!['customers']).toBe(count!.n);
    expect(result!['other_segment']).toBe(0);
    expect(result!['other_rfm']).toBe(0);
    expect(result!['clv_relative']).toBeLessThan(1e-9);
    expect(result!['clv_active_relative']).toBeLessThan(1e-9);
    expect(result!['p_alive']).toBeLessThan(1e-12);
    expect(result!['purchases_relative']).toBeLessThan(1e-9);
    expect(result!['order_value_relative']).toBeLessThan(1e-12);
  }, 120_000);

  it('scores a new customer and says which inputs are missing or wrong', async () => {
    const [scored] = await asBi('select * from gold.score_customer($1)', [
      { recency_days: 10, frequency: 4, monetary: 900, avg_order_value: 225, tenure_days: 200, distinct_products: 30, return_rate: 0,
        avg_days_between_orders: 60, x: 3, t_x: 26, age: 29, repeat_order_value: 210 },
    ]);
    expect(scored!['rfm_segment']).toEqual(expect.any(String));
    expect(num(scored!['p_alive'])).toBeGreaterThan(0);
    expect(num(scored!['clv_12m'])).toBeGreaterThan(0);
    expect(await biError('select * from gold.score_customer($1)', [{ recency_days: 'ten', frequency: 1, monetary: 1 }])).toMatch(/missing/);
    const inputs = await asBi<{ key: string }>('select key from gold.score_customer_inputs()');
    const allKeys = Object.fromEntries(inputs.map((i) => [i.key, 1]));
    expect(await biError('select * from gold.score_customer($1)', [{ ...allKeys, x: 2, t_x: 5, age: 3, repeat_order_value: 1 }])).toMatch(
      /0 <= t_x <= age/,
    );
    expect(await biError('select * from gold.score_customer($1)', [{ ...allKeys, frequency: 'many' }])).toMatch(/not a number: frequency = "many"/);
  });

  it('computes p_alive and expected purchases with the same formulas as scripts/clv, for all three models (CDNOW rows, 39 weeks)', async () => {
    const rows = cdnowSummary();
    // the papers' CDNOW estimates for BG/NBD (FHL 2005) and Pareto/NBD (note 009); MBG/NBD values of the same size
    // (any positive parameters do: this compares two implementations of the same formulas)
    const models: PurchaseModel[] = [
      { model: 'bgnbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } },
      { model: 'mbgnbd', params: { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 } },
      { model: 'pareto', params: { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 } },
    ];
    for (const m of models) {
      const p: Partial<Record<string, number>> = { ...m.params };
      const got = await asBi<{ p_alive: number; purchases: number }>(
        `select gold.clv_p_alive($1, $2, $3, $4, $5, $6, $7, u.x, u.tx, u.t) as p_alive,
                gold.clv_p_alive($1, $2, $3, $4, $5, $6, $7, u.x, u.tx, u.t)
                  * gold.clv_expected_if_alive($1, $2, $3, $4, $5, $6, $7, u.x, u.t, 39) as purchases
         from unnest($8::float8[], $9::float8[], $10::float8[]) with ordinality as u(x, tx, t, i) order by u.i`,
        [m.model, p['r'], p['alpha'], p['a'] ?? null, p['b'] ?? null, p['s'] ?? null, p['beta'] ?? null,
         rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T)],
      );
      rows.forEach((row, i) => {
        expect(close(got[i]!.p_alive, predictPAlive(m, row), 1e-9), `${m.model} p_alive ${JSON.stringify(row)}`).toBe(true);
        expect(close(got[i]!.purchases, predictPurchases(m, row, 39), 1e-9), `${m.model} purchases ${JSON.stringify(row)}`).toBe(true);
      });
    }
  }, 120_000);
});
