import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { runClvPredictions } from '../clv/pipeline/run.ts';
import { fitModel } from '../clv/fit.ts';
import { readCombinations } from '../clv/pipeline/read.ts';
import { clvSettings, PURCHASE_MODELS } from '../clv/settings.ts';
import { compileProject } from '../compile/index.ts';
import { UsageError } from '../core/errors.ts';
import { loadProject } from '../load/index.ts';
import { openProjectDatabase } from '../cli/session.ts';
import { writeBenchOrders } from './clv-data.ts';
import { machineLine } from './machine.ts';

const PROJECT = join(import.meta.dirname, '..', '..');
const SIZES = [10_000, 100_000, 1_000_000];

/**
 * `npm run bench -- clv [customers …]`: for each size (default 10 thousand, 100 thousand and 1
 * million synthetic customers), the project's own CLV SQL and TypeScript step on synthetic orders:
 * the summary (customer_clv_summary's SQL), the fit (clv_predictions: auto choice, fits,
 * predictions per combination), each purchase model fitted alone on the same distinct rows, and
 * the apply step (customer_clv's SQL) against a plain copy of the same rows.
 */
export async function benchClv(args: readonly string[], log: (line: string) => void): Promise<void> {
  const sizes = args.length > 0 ? args.map(Number) : SIZES;
  if (!sizes.every((n) => Number.isInteger(n) && n >= 100)) throw new UsageError(`bench clv: sizes must be whole numbers >= 100, got ${args.join(' ')}`);
  const project = await loadProject(PROJECT);
  const manifest = compileProject(project, {});
  const sqlOf = (name: string): string => {
    const node = manifest.nodes.find((n) => n.id === `model.${name}`);
    if (!node?.sql) throw new Error(`bench clv: model ${name} has no compiled SQL`);
    return node.sql;
  };
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-clv-'));
  const db = await openProjectDatabase(dir, () => {}, 4);
  try {
    const version = (await db.pool.query<{ v: string }>('select version() as v')).rows[0]!.v.split(' on ')[0]!;
    log(machineLine(version));
    for (const size of sizes) await benchSize(db.pool, size, sqlOf, log);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchSize(pool: pg.Pool, customers: number, sqlOf: (name: string) => string, log: (line: string) => void): Promise<void> {
  const schema = `bench_clv_${customers}`;
  await pool.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  try {
    const t0 = performance.now();
    const orders = await writeBenchOrders(pool, schema, customers, 20240101);
    log(`\n${customers.toLocaleString('en-US')} customers, ${orders.toLocaleString('en-US')} orders (drawn and copied in ${seconds(t0)})`);
    // the models' SQL with its relations pointed at this schema's tables
    const resolve = (sql: string): string =>
      sql.replace(/<<rel:model\.(\w+)>>/g, (_, name: string) => `${schema}.${name}`);

    const summary = await timed(() => pool.query(`create table ${schema}.customer_clv_summary as ${resolve(sqlOf('customer_clv_summary'))}`));
    await pool.query(`analyze ${schema}.customer_clv_summary`);
    log(`summary (customer_clv_summary SQL): ${ms(summary.ms)}`);

    const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    const settings = clvSettings({});
    const run = await timed(() =>
      runClvPredictions({
        db: kysely,
        summary: { schema, name: 'customer_clv_summary' },
        out: { schema, name: 'clv_predictions' },
        settings,
        buildId: -customers, // not a real build: a negative id cannot collide with one
        // the fit step is what is measured: always fit
        published: undefined,
        refit: { fullRefresh: true, share: 0 },
        log: () => {},
      }),
    );
    // one source (the bench's orders have one): its outcome carries the timings
    const r = run.value.sources[0]!;
    if (r.status !== 'fitted') throw new Error(`the bench's fit failed: ${r.status === 'failed' ? r.error : 'kept a published fit'}`);
    const t = r.timings;
    log(
      `fit step (clv_predictions, auto): ${ms(run.ms)} = read ${ms(t.read)} + choose ${ms(t.choose)} + fit ${r.model} ${ms(t.fit)} ` +
        `+ spend ${ms(t.spend)} + predict ${ms(t.predict)} + write ${ms(t.write)}; ${r.combinations.toLocaleString('en-US')} distinct (x, t_x, age) in weeks`,
    );
    log(`  chosen: ${r.selection}`);
    const combinations = await readCombinations(kysely, { schema, name: 'customer_clv_summary' }, r.source);
    for (const model of PURCHASE_MODELS) {
      const fit = await timed(async () => fitModel(model, combinations, { requireConvergence: false }));
      log(`  ${model} alone on the ${combinations.length.toLocaleString('en-US')} distinct rows: ${ms(fit.ms)}, ${fit.value.iterations} iterations, converged ${fit.value.converged}`);
    }

    const apply = await timed(() => pool.query(`create table ${schema}.customer_clv as ${resolve(sqlOf('customer_clv'))}`));
    const plain = await timed(() =>
      pool.query(`create table ${schema}.plain_copy as select customer_id, x, t_x, age, repeat_order_value from ${schema}.customer_clv_summary`),
    );
    log(`apply (customer_clv SQL): ${ms(apply.ms)}; plain create-table-as-select of the same rows: ${ms(plain.ms)} (${(apply.ms / plain.ms).toFixed(2)}×)`);
    await pool.query(`delete from strata_meta.clv_fits where build_id = $1`, [-customers]);
  } finally {
    await pool.query(`drop schema if exists ${schema} cascade`);
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function seconds(from: number): string {
  return `${((performance.now() - from) / 1000).toFixed(1)} s`;
}
