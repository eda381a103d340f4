import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

import { runBuild } from '../cli/build.ts';
import { tsModelsOption } from '../cli/options.ts';
import { compileSelection } from '../cli/session.ts';
import { UsageError } from '../core/errors.ts';
import { loadFile } from '../ingest/load.ts';
import { writeCsv } from '../ingest/synthetic/csv-file.ts';
import { withBenchDatabase } from './bench-database.ts';
import { machineLine, mib, trackPeakMemory } from './machine.ts';
import { describeBuild, slowest } from './report-lines.ts';
import { readSpans, timelineLines } from './timeline.ts';

const PROJECT = resolve(import.meta.dirname, '..', '..');
/** The UCI Online Retail file: under STRATA_DATA_DIR, else the shared data folder. */
const ONLINE_RETAIL = resolve(process.env.STRATA_DATA_DIR ?? '/work/shared/data', 'online_retail', 'online_retail.csv.gz');
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

/** The share of lines held back as the new batch of the incremental step. */
const BATCH_SHARE = 0.01;

/** `bench pipeline`'s options as commander gives them. */
export interface PipelineBenchOptions {
  readonly lines?: string;
  readonly onlineRetail?: boolean;
  readonly incremental?: boolean;
  /** print every node's start and end of each build, not only the longest */
  readonly timeline?: boolean;
  /** where TypeScript models run (BuildRun.tsModels): to compare worker threads with the build's thread */
  readonly tsModels?: string;
}

/**
 * `npm run bench -- pipeline --lines 1000000` (or `--online-retail`): generate a CSV, load it,
 * build every model, in a fresh database, with each stage's time, lines per second, the Node
 * process's peak memory, and the bare RFM aggregate on the same raw table as the floor.
 * With `--incremental`: the file's last 1% of lines is held back, the history is loaded and
 * built, then the batch is loaded and built incrementally, then the same data is built again with
 * --full-refresh; the incremental ÷ full ratio is the figure the storage design aims at. Then a
 * realistic batch (existing customers' orders of the next days, nextDaysBatch) is built
 * incrementally on top: the hard case (whole histories: every month, many customers) and the
 * daily one are both reported.
 */
export async function benchPipeline(values: PipelineBenchOptions, log: (line: string) => void): Promise<void> {
  const lines = Number(values.lines ?? 1_000_000);
  if (!values.onlineRetail && (!Number.isInteger(lines) || lines < 1000)) throw new UsageError(`--lines must be a whole number ≥ 1000`);
  const memory = trackPeakMemory();
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-pipeline-'));
  try {
    await withBenchDatabase(PROJECT, 'pipeline', async ({ db, version }) => {

      let file = ONLINE_RETAIL;
      let generateSeconds = 0;
      if (!values.onlineRetail) {
        file = join(dir, 'lines.csv');
        const started = performance.now();
        memory.phase('generate');
        await writeCsv({ customers: Math.max(10, Math.round(lines / LINES_PER_CUSTOMER)), seed: 1 }, file);
        generateSeconds = (performance.now() - started) / 1000;
      }
      const split = values.incremental ? await splitOff(file, dir, BATCH_SHARE) : undefined;
      memory.phase('load');
      const loaded = await loadFile(db.pool, { file: split?.history ?? file });
      const floorStart = performance.now();
      await db.pool.query(FLOOR_SQL);
      const floorSeconds = (performance.now() - floorStart) / 1000;

      const options = { projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 4, fullRefresh: false };
      const tsModels = tsModelsOption(values.tsModels);
      const compiled = await compileSelection(options);
      memory.phase('build');
      const buildStart = performance.now();
      const outcome = await runBuild({ command: 'bench', options, compiled, db, log: () => {}, tsModels });
      const buildSeconds = (performance.now() - buildStart) / 1000;
      if (outcome.exitCode !== 0) throw new Error(`the bench build failed: ${outcome.report.blockedBy}`);

      const timelines: string[] = [];
      const timeline = async (label: string, buildId: number) =>
        timelines.push(...timelineLines(label, await readSpans(db.pool, buildId), values.timeline ? Infinity : 8));
      await timeline('build', outcome.report.buildId);

      let incrementalLines: string[] = [];
      if (split) {
        memory.phase('load batch');
        const batch = await loadFile(db.pool, { file: split.batch });
        memory.phase('incremental build');
        // TypeScript models compute on Node's one thread: while they do, no other node's query
        // result is handled, so concurrent nodes' times include that wait
        const loop = monitorEventLoopDelay({ resolution: 20 });
        loop.enable();
        const incStart = performance.now();
        const inc = await runBuild({ command: 'bench', options, compiled, db, log: () => {}, tsModels });
        const incSeconds = (performance.now() - incStart) / 1000;
        loop.disable();
        if (inc.exitCode !== 0) throw new Error(`the incremental bench build failed: ${inc.report.blockedBy}`);
        await timeline('incremental', inc.report.buildId);
        const fullOptions = { ...options, fullRefresh: true };
        const fullCompiled = await compileSelection(fullOptions);
        memory.phase('full refresh');
        const fullStart = performance.now();
        const full = await runBuild({ command: 'bench', options: fullOptions, compiled: fullCompiled, db, log: () => {}, tsModels });
        const fullSeconds = (performance.now() - fullStart) / 1000;
        if (full.exitCode !== 0) throw new Error(`the full-refresh bench build failed: ${full.report.blockedBy}`);
        await timeline('full refresh', full.report.buildId);

        // the realistic batch: existing customers buying again on the days after the last one (the
        // last days of orders replayed), built incrementally on top of the full refresh
        const next = await nextDaysBatch(db.pool, dir, BATCH_SHARE);
        memory.phase('load next days');
        const nextBatch = await loadFile(db.pool, { file: next.file });
        memory.phase('next days build');
        const nextStart = performance.now();
        const nextBuild = await runBuild({ command: 'bench', options, compiled, db, log: () => {}, tsModels });
        const nextSeconds = (performance.now() - nextStart) / 1000;
        if (nextBuild.exitCode !== 0) throw new Error(`the next-days bench build failed: ${nextBuild.report.blockedBy}`);
        await timeline('next days (incremental)', nextBuild.report.buildId);
        // and again with nothing new: what a scheduled build costs on a day without data, which
        // should not grow with the history
        memory.phase('nothing new');
        const idleStart = performance.now();
        const idle = await runBuild({ command: 'bench', options, compiled, db, log: () => {}, tsModels });
        const idleSeconds = (performance.now() - idleStart) / 1000;
        if (idle.exitCode !== 0) throw new Error(`the nothing-new bench build failed: ${idle.report.blockedBy}`);
        // the models that keep history: what the storage design makes proportional to the batch
        const keeping = new Set(compiled.manifest.nodes
          .filter((n) => n.config.materialized === 'incremental' || n.config.materialized === 'snapshot').map((n) => n.id));
        const seconds = (nodes: typeof inc.report.nodes) =>
          new Map(nodes.filter((n) => keeping.has(n.id)).map((n) => [n.id, n.durationMs / 1000]));
        const incTimes = seconds(inc.report.nodes);
        const fullTimes = seconds(full.report.nodes);
        const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
        const testTime = (report: typeof inc.report) => report.tests.reduce((total, t) => total + t.durationMs, 0) / 1000;
        const scoped = inc.report.tests.filter((t) => (t.message ?? '').includes('checked the rows this build added')).length;
        const byKeys = inc.report.tests.filter((t) => / values this build touched/.test(t.message ?? '')).length;
        const byChanges = inc.report.tests.filter((t) => (t.message ?? '').includes('checked the rows this build changed')).length;
        incrementalLines = [
          `batch:     ${batch.linesLoaded.toLocaleString('en-US')} lines (${(BATCH_SHARE * 100).toFixed(0)}%) loaded in ${batch.seconds.toFixed(1)} s`,
          `incremental build of the batch: ${incSeconds.toFixed(1)} s`,
          `full refresh of the same data:  ${fullSeconds.toFixed(1)} s`,
          `ratio:     incremental ÷ full = ${(incSeconds / fullSeconds).toFixed(2)} (aim ≤ 0.15)`,
          `incremental models and snapshots: ${sum(incTimes).toFixed(1)} s incremental vs ${sum(fullTimes).toFixed(1)} s full (` +
            [...incTimes].map(([id, t]) => `${id.replace(/^model\./, '')} ${t.toFixed(1)}/${(fullTimes.get(id) ?? 0).toFixed(1)} s`).join(', ') + ')',
          `slowest incremental: ${slowest(inc.report.nodes, 5)}`,
          `tests' query time: ${testTime(inc.report).toFixed(1)} s incremental (${scoped} of ${inc.report.tests.length} tests checked only the rows the build added, ${byKeys} only the keys it touched, ${byChanges} only the rows of a view or source it changed) vs ${testTime(full.report).toFixed(1)} s full`,
          `slowest incremental tests: ${slowest(inc.report.tests, 4)}`,
          `event loop: blocked up to ${(loop.max / 1e9).toFixed(1)} s at a time during the incremental build (p99 ${(loop.percentile(99) / 1e9).toFixed(2)} s): ` +
            `node times of SQL models running beside a TypeScript model include that wait`,
          `publish:   ${(inc.report.publishSeconds ?? 0).toFixed(2)} s incremental, ${(full.report.publishSeconds ?? 0).toFixed(2)} s full`,
          `next days: ${nextBatch.linesLoaded.toLocaleString('en-US')} lines of existing customers (the last ${next.days} days of orders replayed on the ${next.days} days after them), ` +
            `incremental build ${nextSeconds.toFixed(1)} s (÷ the full refresh above = ${(nextSeconds / fullSeconds).toFixed(2)})`,
          `slowest next-days: ${slowest(nextBuild.report.nodes, 5)}; tests' query time ${testTime(nextBuild.report).toFixed(1)} s`,
          'nothing new:',
          ...describeBuild('a build right after, with nothing new', idleSeconds, idle.report),
        ];
      }

      log(machineLine(version));
      log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) at the end; other work on the machine shares its cores`);
      log(`TypeScript models: ${tsModels === 'worker' ? 'in a worker thread' : "on the build's thread"} (--ts-models)`);
      log(`data:      ${values.onlineRetail ? 'UCI Online Retail' : 'synthetic'}, ${loaded.linesLoaded.toLocaleString('en-US')} lines (${mib((await stat(file)).size)} file)`);
      if (generateSeconds) log(`generate:  ${generateSeconds.toFixed(1)} s to CSV (${rate(loaded.linesLoaded, generateSeconds)} lines/s)`);
      log(`load:      ${loaded.seconds.toFixed(1)} s (${rate(loaded.linesLoaded, loaded.seconds)} lines/s; aim > 500,000)`);
      log(`build:     ${buildSeconds.toFixed(1)} s, ${outcome.report.nodes.length} nodes, ${outcome.report.tests.length} tests`);
      const testSeconds = outcome.report.tests.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
      log(`tests:     ${testSeconds.toFixed(1)} s of query time in all (several run at once)`);
      log(`floor:     ${floorSeconds.toFixed(2)} s bare RFM aggregate on landing.order_lines`);
      log(`ratio:     build = ${(buildSeconds / floorSeconds).toFixed(1)} × floor (aim ≤ 20)`);
      log(`end to end (load + build): ${(loaded.seconds + buildSeconds).toFixed(1)} s (Online Retail aim ≤ 6 s)`);
      log(`slowest:   ${slowest(outcome.report.nodes, 5)}`);
      for (const line of incrementalLines) log(line);
      for (const line of timelines) log(line);
      memory.phase('end');
      const top = memory.at();
      log(`peak RSS:  ${mib(memory.peak())} (aim < 300 MiB); at the peak: V8 heap ${mib(top.heapUsed)} used of ${mib(top.heapTotal)}, ` +
        `external ${mib(top.external)} (array buffers ${mib(top.arrayBuffers)})`);
      log(`peak RSS by stage: ${[...memory.phases()].filter(([name]) => name !== 'end').map(([name, rss]) => `${name} ${mib(rss)}`).join(', ')}`);
    });
  } finally {
    memory.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A batch of existing customers buying again: the lines of the last `share` of the history's
 * days (at least one day), dated that many days later and with invoice numbers after every one
 * landed, written as an Online Retail CSV by the server (COPY … TO STDOUT, streamed to the file).
 * As-of time moves, as on a daily load: the realistic case beside the benchmark's hard one
 * (whole histories of new customers).
 */
export async function nextDaysBatch(pool: pg.Pool, dir: string, share: number): Promise<{ file: string; days: number }> {
  const span = (await pool.query<{ days: number }>(
    `select extract(epoch from max(invoice_date) - min(invoice_date)) / 86400 as days from landing.order_lines`,
  )).rows[0]!;
  const days = Math.max(1, Math.round(Number(span.days) * share));
  const file = join(dir, 'next-days.csv');
  const sql = `
    with bounds as (
        select max(invoice_date) as last, max(substring(invoice_no from '[0-9]+$')::bigint) as last_no from landing.order_lines
    ),
    replayed as (
        select l.*, b.last_no from landing.order_lines as l cross join bounds as b
        where l.invoice_date > b.last - make_interval(days => ${days})
    ),
    numbered as (
        select r.*, min(substring(r.invoice_no from '[0-9]+$')::bigint) over () as first_no from replayed as r
    )
    select
        substring(invoice_no from '^[^0-9]*') || (substring(invoice_no from '[0-9]+$')::bigint - first_no + last_no + 1)::text as "InvoiceNo",
        stock_code as "StockCode", description as "Description", quantity as "Quantity",
        to_char(invoice_date + make_interval(days => ${days}), 'YYYY-MM-DD HH24:MI:SS') as "InvoiceDate",
        unit_price as "UnitPrice", customer_id as "CustomerID", country as "Country"
    from numbered
    order by batch_id, source_line`;
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyTo(`copy (${sql}) to stdout with (format csv, header)`)), createWriteStream(file));
  } finally {
    client.release();
  }
  return { file, days };
}

/**
 * Splits a CSV (plain or gzipped; no line breaks inside fields) into the history and a batch of
 * its last `share` of lines, both with the header. Streams: no file is held in memory.
 */
async function splitOff(file: string, dir: string, share: number): Promise<{ history: string; batch: string }> {
  const lines = (source: string) =>
    createInterface({ input: source.endsWith('.gz') ? createReadStream(source).pipe(createGunzip()) : createReadStream(source), crlfDelay: Infinity });
  let total = -1;
  for await (const _line of lines(file)) total++;
  const cut = Math.round(total * (1 - share));
  const history = join(dir, 'history.csv');
  const batch = join(dir, 'batch.csv');
  const out = [createWriteStream(history), createWriteStream(batch)] as const;
  let n = -1;
  for await (const line of lines(file)) {
    const targets = n === -1 ? out : [out[n < cut ? 0 : 1]];
    for (const t of targets) if (!t.write(`${line}\n`)) await new Promise<void>((resolve) => t.once('drain', () => resolve()));
    n++;
  }
  await Promise.all(out.map((s) => new Promise((resolve) => s.end(resolve))));
  return { history, batch };
}

function rate(lines: number, seconds: number): string {
  return Math.round(lines / seconds).toLocaleString('en-US');
}


