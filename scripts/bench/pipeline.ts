import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { runBuild } from '../cli/build.ts';
import { compileSelection, openProjectDatabase } from '../cli/session.ts';
import { UsageError } from '../core/errors.ts';
import { openDatabase, type Database } from '../db/connect.ts';
import { runMigrations } from '../db/migrate.ts';
import { loadFile } from '../ingest/load.ts';
import { writeCsv } from '../ingest/synthetic/csv-file.ts';
import { machineLine, mib, trackPeakMemory } from './machine.ts';

const PROJECT = resolve(import.meta.dirname, '..', '..');
const ONLINE_RETAIL = resolve(PROJECT, '..', 'shared', 'data', 'online_retail', 'online_retail.csv.gz');
/** the generator writes about this many lines per customer (5,000 customers → 542,804 lines) */
const LINES_PER_CUSTOMER = 108.6;

/** The bare aggregate a hand-written RFM query would run: the floor the build is measured against. */
const FLOOR_SQL = `
  select count(*) from (
    select customer_id, max(invoice_date) as last_purchase, count(distinct invoice_no) as frequency,
           sum(quantity * unit_price) as monetary
      from landing.order_lines
     where customer_id is not null
     group by customer_id) as rfm`;

/**
 * `npm run bench -- pipeline --lines 1000000` (or `--online-retail`): generate a CSV, load it,
 * build every model, in a fresh database, with each stage's time, lines per second, the Node
 * process's peak memory, and the bare RFM aggregate on the same raw table as the floor.
 */
export async function benchPipeline(args: readonly string[], log: (line: string) => void): Promise<void> {
  const { values } = parseArgs({ args: [...args], options: { lines: { type: 'string' }, 'online-retail': { type: 'boolean' } } });
  const lines = Number(values.lines ?? 1_000_000);
  if (!values['online-retail'] && (!Number.isInteger(lines) || lines < 1000)) throw new UsageError(`--lines must be a whole number ≥ 1000`);
  const memory = trackPeakMemory();
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-pipeline-'));
  const server = await openProjectDatabase(PROJECT, () => {}, 2);
  const name = `strata_bench_${process.pid}`;
  await server.pool.query(`create database ${name}`);
  let db: Database | undefined;
  try {
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    db = await openDatabase({ projectDir: PROJECT, databaseUrl: url.toString(), poolSize: 10 });
    await runMigrations(db.pool);
    const version = (await db.pool.query<{ v: string }>('select version() as v')).rows[0]!.v.split(' on ')[0]!;

    let file = ONLINE_RETAIL;
    let generateSeconds = 0;
    if (!values['online-retail']) {
      file = join(dir, 'lines.csv');
      const started = performance.now();
      await writeCsv({ customers: Math.max(10, Math.round(lines / LINES_PER_CUSTOMER)), seed: 1 }, file);
      generateSeconds = (performance.now() - started) / 1000;
    }
    const loaded = await loadFile(db.pool, { file });
    const floorStart = performance.now();
    await db.pool.query(FLOOR_SQL);
    const floorSeconds = (performance.now() - floorStart) / 1000;

    const options = { projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 4, fullRefresh: false };
    const compiled = await compileSelection(options);
    const buildStart = performance.now();
    const outcome = await runBuild({ command: 'bench', options, compiled, db, log: () => {} });
    const buildSeconds = (performance.now() - buildStart) / 1000;
    if (outcome.exitCode !== 0) throw new Error(`the bench build failed: ${outcome.report.blockedBy}`);

    const slowest = [...outcome.report.nodes].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
    log(machineLine(version));
    log(`data:      ${values['online-retail'] ? 'UCI Online Retail' : 'synthetic'}, ${loaded.linesLoaded.toLocaleString('en-US')} lines (${mib((await stat(file)).size)} file)`);
    if (generateSeconds) log(`generate:  ${generateSeconds.toFixed(1)} s to CSV (${rate(loaded.linesLoaded, generateSeconds)} lines/s)`);
    log(`load:      ${loaded.seconds.toFixed(1)} s (${rate(loaded.linesLoaded, loaded.seconds)} lines/s; aim > 500,000)`);
    log(`build:     ${buildSeconds.toFixed(1)} s, ${outcome.report.nodes.length} nodes, ${outcome.report.tests.length} tests`);
    const testSeconds = outcome.report.tests.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
    log(`tests:     ${testSeconds.toFixed(1)} s of query time in all (several run at once)`);
    log(`floor:     ${floorSeconds.toFixed(2)} s bare RFM aggregate on landing.order_lines`);
    log(`ratio:     build = ${(buildSeconds / floorSeconds).toFixed(1)} × floor (aim ≤ 20)`);
    log(`end to end (load + build): ${(loaded.seconds + buildSeconds).toFixed(1)} s (Online Retail aim ≤ 6 s)`);
    log(`slowest:   ${slowest.map((n) => `${n.id.replace(/^model\./, '')} ${(n.durationMs / 1000).toFixed(1)} s`).join(', ')}`);
    log(`peak RSS:  ${mib(memory.peak())} (aim < 300 MiB)`);
  } finally {
    memory.stop();
    await db?.close();
    await server.pool.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function rate(lines: number, seconds: number): string {
  return Math.round(lines / seconds).toLocaleString('en-US');
}


