import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import { publishedReads } from '../../scripts/execute/keep-unchanged.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { applyRetention } from '../../scripts/publish/retention.ts';
import { buildProject, useProjectDatabase, whyNot } from '../support/build.ts';
import { testTargetDir } from '../support/scratch.ts';

// Unchanged nodes are kept (docs/storage.md): a table, seed or TypeScript model whose definition
// and inputs are the same as when its published rows were written is not written again. The
// retail project with empty travel and airline sources: a build with nothing new keeps every
// table-like node but the ones that read the clock or a source without `changes:`; a retail batch
// rebuilds the retail chain and keeps the travel and airline nodes; the kept rows stay readable
// through rollback and retention, and equal what a full refresh writes.
const PROJECT = join(import.meta.dirname, '..', '..');

const project = useProjectDatabase('keep_unchanged', PROJECT);

async function build(options: { fullRefresh?: boolean; vars?: Record<string, unknown> } = {}) {
  const outcome = await buildProject(project.db, PROJECT, { threads: 2, ...options });
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
  return outcome;
}

type Outcome = Awaited<ReturnType<typeof build>>;

function keptIn(outcome: Outcome): Map<string, number> {
  return new Map(outcome.report.nodes.filter((n) => n.keptFrom !== undefined).map((n) => [n.id, n.keptFrom!]));
}

async function checksum(relation: string): Promise<string> {
  const found = await project.db.pool.query<{ sum: string }>(
    `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) || ':' || count(*) as sum from ${relation} as t`,
  );
  return found.rows[0]!.sum;
}

const GOLD = ['silver.customers', 'gold.customer_features', 'gold.customer_rfm', 'gold.kpis', 'gold.loyalty_members', 'gold.traveler_features'];

async function goldSums(): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(GOLD.map(async (g) => [g, await checksum(g)] as const)));
}

async function liveGen(node: string): Promise<number> {
  const found = await project.db.pool.query<{ gen: string }>('select gen from strata_meta.live where node_id = $1', [node]);
  return Number(found.rows[0]!.gen);
}

describe('unchanged nodes are kept', () => {
  it('keeps what nothing changed, rebuilds what a batch reaches, and the kept rows equal a full refresh', async () => {
    await generate(project.db.pool, { customers: 150, seed: 41 });
    const first = await build();
    expect(keptIn(first).size).toBe(0);
    const before = await goldSums();

    // nothing new: every recorded node is kept, pointers stay, rows are the same
    const again = await build();
    const kept = keptIn(again);
    for (const id of ['seed.rfm_segment_rules', 'model.customer_features', 'model.customer_rfm', 'model.segment_centres', 'model.loyalty_members', 'model.kpis']) {
      expect({ id, kept: kept.get(id) }).toEqual({ id, kept: first.report.buildId });
    }
    // compares its inputs with the published build's, and names that build: written every build
    expect(kept.has('model.feature_drift')).toBe(false);
    // a snapshot on inputs of the same versions records no change, and is not compared again
    expect(kept.get('model.segment_history')).toBe(first.report.buildId);
    // what reads it alone is kept with it
    expect(kept.get('model.segment_migrations')).toBe(first.report.buildId);
    // incremental models on inputs of the same versions: nothing new to find, not looked for
    for (const id of ['model.stg_retail_order_lines', 'model.orders', 'model.customers', 'model.customer_clv_summary', 'model.kpi_monthly']) {
      expect({ id, kept: kept.get(id), rows: again.report.nodes.find((n) => n.id === id)?.rows }).toEqual({ id, kept: first.report.buildId, rows: 0 });
    }
    expect(again.report.nodes.find((n) => n.id === 'model.segment_history')?.rows).toBe(0);
    expect(await liveGen('model.customer_features')).toBe(first.report.buildId);
    expect(await goldSums()).toEqual(before);
    const runs = await project.db.pool.query<{ n: number }>(
      'select count(*)::int as n from strata_meta.node_runs where build_id = $1 and kept_from = $2', [again.report.buildId, first.report.buildId]);
    expect(runs.rows[0]!.n).toBe(kept.size);
    // a test that passed in the published build on inputs of the same versions is recorded as
    // passed without running: those of kept nodes, and of incremental models without new rows
    const notRun = (outcome: Outcome) => new Set(outcome.report.tests.filter((t) => t.message?.startsWith('not run: nothing it reads changed since it passed in build')).map((t) => t.id));
    const testsOf = (node: string) => again.report.manifest.tests.filter((t) => t.attachedTo === node || t.dependsOn.includes(node)).map((t) => t.id);
    const skipped = notRun(again);
    expect(skipped.size).toBeGreaterThan(200);
    expect(again.report.tests.filter((t) => skipped.has(t.id)).every((t) => t.status === 'pass')).toBe(true);
    for (const id of [...testsOf('model.customer_features'), ...testsOf('model.customers')]) expect({ id, notRun: skipped.has(id) }).toEqual({ id, notRun: true });
    // feature_drift is written every build: what reads it is tested again
    expect(testsOf('model.feature_drift').length).toBeGreaterThan(0);
    for (const id of testsOf('model.feature_drift')) expect({ id, notRun: skipped.has(id) }).toEqual({ id, notRun: false });

    // a retail batch: the retail chain is written again, the travel and airline nodes are kept
    await generate(project.db.pool, { customers: 20, seed: 42, start: '2011-12-10', days: 2 });
    const day = await build();
    const dayKept = keptIn(day);
    for (const id of ['model.customer_features', 'model.customer_rfm', 'model.kpis', 'model.segment_history', 'model.stg_retail_order_lines', 'model.customer_clv_summary']) {
      expect({ id, kept: dayKept.has(id) }).toEqual({ id, kept: false });
    }
    // stg_airline_members reads bronze.load_batches, which the retail load moved: written again,
    // found equal to its published rows, and kept, so the airline nodes after it are kept too
    for (const id of ['model.stg_airline_members', 'model.loyalty_members', 'model.churn_coefficients', 'model.traveler_features']) {
      expect({ id, kept: dayKept.get(id) }).toEqual({ id, kept: first.report.buildId });
    }
    expect(await liveGen('model.customer_features')).toBe(day.report.buildId);
    expect(await liveGen('model.loyalty_members')).toBe(first.report.buildId);
    const daySkipped = notRun(day);
    for (const id of testsOf('model.customer_features')) expect({ id, notRun: daySkipped.has(id) }).toEqual({ id, notRun: false });
    for (const id of testsOf('model.loyalty_members')) expect({ id, notRun: daySkipped.has(id) }).toEqual({ id, notRun: true });
    const afterDay = await goldSums();
    expect(afterDay['silver.customers']).not.toEqual(before['silver.customers']);

    // rollback shows the build before, kept rows and all; the next build writes the day again
    const compiled = await compileSelection({ projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
    expect(await runRollback(compiled, project.db, () => {})).toBe(0);
    expect(await goldSums()).toEqual(before);
    const rebuilt = await build();
    expect(keptIn(rebuilt).has('model.customer_features')).toBe(false);
    expect(await goldSums()).toEqual(afterDay);

    // other vars are another definition: nothing is kept
    const vars = await build({ vars: { refit_growth: 0.2 } });
    expect(keptIn(vars).size).toBe(0);
    const sameVars = await build({ vars: { refit_growth: 0.2 } });
    expect(keptIn(sameVars).get('model.customer_features')).toBe(vars.report.buildId);
    const afterVars = await goldSums();

    // retention keeps a partition as long as a kept publication shows it
    await applyRetention(project.db.pool, 1, sameVars.report.buildId);
    expect(await goldSums()).toEqual(afterVars);

    // a full refresh keeps nothing and writes the same rows
    const full = await build({ fullRefresh: true });
    expect(keptIn(full).size).toBe(0);
    expect(await goldSums()).toEqual(afterVars);
  }, 600_000);
});

// A project of its own, edited between builds: an edited model, an edited seed and new source rows
// rebuild what they reach and nothing else; a model reading the clock is never kept.
describe('what an edit or a load rebuilds', () => {
  const files: Record<string, string> = {
    'schema.yml': [
      'version: 2',
      'project:',
      '  name: keep_edits',
      '  bi_role: keep_edits_bi',
      'sources:',
      '  - name: shop',
      '    schema: keep_src',
      '    tables:',
      '      - name: orders',
      '        changes: {appended_by: batch}',
      'seeds:',
      '  - name: bands',
      '    config:',
      '      column_types: {min_total: numeric}',
    ].join('\n') + '\n',
    'seeds/bands.csv': 'band,min_total\nlow,0\nhigh,100\n',
    'models/silver/order_totals.sql': "{{ config(materialized='table') }}\nselect customer_id, sum(amount) as total from {{ source('shop', 'orders') }} group by customer_id\n",
    'models/gold/customer_bands.sql':
      "{{ config(materialized='table') }}\nselect t.customer_id, t.total, (select b.band from {{ ref('bands') }} b where t.total >= b.min_total order by b.min_total desc limit 1) as band\nfrom {{ ref('order_totals') }} t\n",
    'models/gold/band_counts.sql': "{{ config(materialized='table') }}\nselect band, count(*) as customers from {{ ref('customer_bands') }} group by band\n",
    'models/gold/stamped.sql': "{{ config(materialized='table') }}\nselect count(*) as bands, now() as at from {{ ref('bands') }}\n",
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-keep-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), text);
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  const edits = useProjectDatabase('keep_edits', () => dir);
  beforeAll(async () => {
    await edits.db.pool.query(`create schema keep_src;
      create table keep_src.orders (order_id int, customer_id int, amount numeric, batch int);
      insert into keep_src.orders values (1, 1, 50, 1), (2, 1, 70, 1), (3, 2, 20, 1)`);
  });

  async function kept(): Promise<string[]> {
    const outcome = await buildProject(edits.db, dir, { threads: 2 });
    expect(outcome.exitCode, whyNot(outcome)).toBe(0);
    return outcome.report.nodes.filter((n) => n.keptFrom !== undefined).map((n) => n.id).sort();
  }

  it('rebuilds what an edit or new rows reach, and keeps the rest', async () => {
    expect(await kept()).toEqual([]);
    expect(await kept()).toEqual(['model.band_counts', 'model.customer_bands', 'model.order_totals', 'seed.bands']);
    // run_results.json says so too (tests/support/build.ts writes it to a folder per process)
    const results = JSON.parse(await readFile(join(testTargetDir(), 'run_results.json'), 'utf8')) as { results: { unique_id: string; message: string | null; kept_from?: number }[] };
    expect(results.results.find((r) => r.unique_id === 'seed.bands')).toMatchObject({ message: 'kept: unchanged since build 1', kept_from: 1 });
    expect(results.results.find((r) => r.unique_id === 'model.stamped')?.kept_from).toBeUndefined();

    await writeFile(join(dir, 'models/gold/band_counts.sql'), "{{ config(materialized='table') }}\nselect band, count(*) as customers, sum(total) as total from {{ ref('customer_bands') }} group by band\n");
    expect(await kept()).toEqual(['model.customer_bands', 'model.order_totals', 'seed.bands']);

    await writeFile(join(dir, 'seeds/bands.csv'), 'band,min_total\nlow,0\nmid,60\nhigh,100\n');
    expect(await kept()).toEqual(['model.order_totals']);
    const bands = await edits.db.pool.query<{ band: string; customers: string }>('select band, customers from gold.band_counts order by band');
    expect(bands.rows).toEqual([{ band: 'high', customers: '1' }, { band: 'low', customers: '1' }]);

    await edits.db.pool.query('insert into keep_src.orders values (4, 2, 50, 2)');
    expect(await kept()).toEqual(['seed.bands']);
    const after = await edits.db.pool.query<{ band: string; customers: string }>('select band, customers from gold.band_counts order by band');
    expect(after.rows).toEqual([{ band: 'high', customers: '1' }, { band: 'mid', customers: '1' }]);
    expect(await kept()).toEqual(['model.band_counts', 'model.customer_bands', 'model.order_totals', 'seed.bands']);
  }, 120_000);
});

describe('publishedReads', () => {
  it('finds the models a module reads published rows of, by literal name', () => {
    expect(publishedReads(`const a = ctx.published('customer_features'); ctx.published("customer_rfm"); published(name)`)).toEqual(['customer_features', 'customer_rfm']);
  });
});
