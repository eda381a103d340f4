import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * gold.feature_drift between builds, on generated data where one feature is shifted on purpose:
 * product codes are cut to their first two digits, so many products share a code and customers
 * seem to buy far fewer distinct products. That moves distinct_products and leaves the purchase
 * features (orders, spend, dates) as they were (lines stay distinct by their description). The PSI and KS are checked against a computation
 * here in TypeScript from the two builds' values.
 */
const project = fileURLToPath(new URL('../..', import.meta.url));

let testDb: TestDatabase;
let db: Database;
let first: BuildOutcome;
let same: BuildOutcome;
let baseline: number[];

async function rows<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.pool.query(text, values)).rows as T[];
}

async function drift(): Promise<Map<string, { psi: number; ks: number | null }>> {
  const result = await rows<{ kind: string; name: string; psi: number; ks: number | null }>('select kind, name, psi, ks from gold.feature_drift');
  return new Map(result.filter((r) => r.psi !== null).map((r) => [r.kind === 'feature' ? r.name : r.kind, { psi: r.psi, ks: r.ks }]));
}

async function distinctProducts(): Promise<number[]> {
  return (await rows<{ v: number }>('select distinct_products::float8 as v from gold.customer_features')).map((r) => r.v);
}

beforeAll(async () => {
  testDb = await createTestDatabase('feature_drift');
  db = await openTestProjectDb(testDb.url, project);
  await generate(db.pool, { customers: 1000, seed: 21 });
  first = await buildProject(db, project, {});
  same = await buildProject(db, project, {});
  baseline = await distinctProducts();
}, 400_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

/** percentile_cont: linear interpolation between the order statistics. */
function quantile(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** PSI over the baseline's deciles (equal cut points merged, width_bucket's bins) and KS, written out independently. */
function psiAndKs(before: readonly number[], after: readonly number[]): { psi: number; ks: number } {
  const sorted = [...before].sort((a, b) => a - b);
  const edges = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => quantile(sorted, d / 10)))].sort((a, b) => a - b);
  const bin = (v: number) => edges.filter((e) => v >= e).length;
  const shares = (values: readonly number[]) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) counts[bin(v)]! += 1;
    return counts.map((c) => Math.max(c / values.length, 1e-4));
  };
  const [b, c] = [shares(before), shares(after)];
  // bins empty on both sides contribute 0 and are not rows in SQL either
  const psi = b.reduce((sum, bi, i) => sum + (c[i]! - bi) * Math.log(c[i]! / bi), 0);
  const values = [...new Set([...before, ...after])].sort((x, y) => x - y);
  const cdf = (data: readonly number[], v: number) => data.filter((x) => x <= v).length / data.length;
  const ks = Math.max(...values.map((v) => Math.abs(cdf(before, v) - cdf(after, v))));
  return { psi, ks };
}

describe('feature drift between builds', () => {
  it('is empty on the first build and zero when the data did not change', async () => {
    expect(first.report.published, whyNot(first)).toBe(true);
    expect(first.report.nodes.find((n) => n.id === 'model.feature_drift')?.status).toBe('success');
    expect(same.report.published, whyNot(same)).toBe(true);
    const measured = await drift();
    expect(measured.get('monetary')).toEqual({ psi: 0, ks: 0 });
    for (const [name, { psi }] of measured) expect(psi, name).toBeLessThan(1e-12);
    expect(same.report.tests.find((t) => t.id.includes('feature_drift_warn'))?.status).toBe('pass');
  });

  it('blocks publishing at PSI > 0.25 when drift_psi_block is set', async () => {
    await rows(`update landing.order_lines set stock_code = left(stock_code, 2) where stock_code ~ '^[0-9]{5}'`);
    const blocked = await buildProject(db, project, { fullRefresh: true, vars: { drift_psi_block: 0.25 } });
    expect(blocked.report.published).toBe(false);
    const block = blocked.report.tests.find((t) => t.id.includes('feature_drift_block'))!;
    expect(block.status).toBe('fail');
    expect(blocked.report.blockedBy).toContain('feature_drift_block');
    // nothing published: gold still shows the unshifted build
    expect(await distinctProducts()).toEqual(baseline);
  }, 200_000);

  it('warns (and publishes) without the blocking var; PSI and KS match a computation from both builds', async () => {
    const shifted = await buildProject(db, project, { fullRefresh: true });
    expect(shifted.report.published, whyNot(shifted)).toBe(true);
    const warn = shifted.report.tests.find((t) => t.id.includes('feature_drift_warn'))!;
    expect(warn.status).toBe('warn');
    const measured = await drift();
    const expected = psiAndKs(baseline, await distinctProducts());
    const got = measured.get('distinct_products')!;
    expect(got.psi).toBeGreaterThan(0.25);
    expect(Math.abs(got.psi - expected.psi)).toBeLessThan(1e-9);
    expect(Math.abs(got.ks! - expected.ks)).toBeLessThan(1e-12);
    // the purchases themselves did not move
    for (const feature of ['frequency', 'monetary', 'recency_days', 'tenure_days', 'avg_order_value']) {
      expect(measured.get(feature)!.psi, feature).toBeLessThan(0.01);
    }
    const [drifted] = await rows<{ failing: string[] }>(
      `select array_agg(name order by name) as failing from gold.feature_drift where psi > 0.1`,
    );
    expect(drifted!.failing).toContain('distinct_products');
  }, 200_000);
});
