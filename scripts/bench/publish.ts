import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

import { runBuild } from '../cli/build.ts';
import { compileSelection } from '../cli/session.ts';
import { UsageError } from '../core/errors.ts';
import { withBenchDatabase } from './bench-database.ts';
import { machineLine } from './machine.ts';

const PROJECT = resolve(import.meta.dirname, '..', '..');
/** gold tables of the bench project, and rows in each */
const TABLES = ['a', 'b', 'c', 'd'];
const ROWS = 20_000;

/** `bench publish`'s options as commander gives them. */
export interface PublishBenchOptions {
  readonly builds?: string;
}

/** Who reads while a series of builds publishes. */
interface Readers {
  /** a reader holding gold.a in an open transaction (locks only: it uses no CPU) */
  readonly holder: boolean;
  /** how many readers issue statements over every view back to back */
  readonly loops: number;
}

/** Publish times of a series of builds, and what the readers saw meanwhile. */
interface Series {
  readonly publishMs: readonly number[];
  readonly reads: number;
  readonly problems: readonly string[];
  readonly seconds: number;
  /** statements seen waiting for a lock (sampled every 10 ms), by their first words */
  readonly lockWaits: ReadonlyMap<string, number>;
}

/**
 * `npm run bench -- publish [--builds N]`: how long publishing takes (the pointer update, its
 * records and the BI rule, as `build-models` times it) over N builds of a small project of four
 * gold tables: with no reader; with one reader holding a view in an open transaction (what
 * blocked the old view-swapping publish); and with that reader plus two BI-style readers issuing
 * statements over all four views back to back (which also take CPU from the build on a small
 * machine). Issue 7 asks that the publish time does not depend on the readers.
 */
export async function benchPublish(values: PublishBenchOptions, log: (line: string) => void): Promise<void> {
  const builds = Number(values.builds ?? 20);
  if (!Number.isInteger(builds) || builds < 2) throw new UsageError('--builds must be a whole number ≥ 2');
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-publish-'));
  try {
    await writeProject(dir);
    await withBenchDatabase(PROJECT, 'publish', async ({ db, url, version }) => {
      let marker = 0;
      const build = async (): Promise<number> => {
        marker++;
        const options = { projectDir: dir, select: [], exclude: [], vars: { marker }, threads: 2, fullRefresh: false };
        const outcome = await runBuild({ command: 'bench', options, compiled: await compileSelection(options), db, log: () => {} });
        if (outcome.exitCode !== 0 || outcome.report.publishSeconds === undefined) throw new Error(`bench build ${marker} failed: ${outcome.report.blockedBy}`);
        return outcome.report.publishSeconds * 1000;
      };
      await build();
      const quiet = await series(builds, build, url, undefined);
      const held = await series(builds, build, url, { holder: true, loops: 0 });
      const busy = await series(builds, build, url, { holder: true, loops: 2 });
      log(machineLine(version));
      log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) at the end`);
      log(`project:   ${TABLES.length} gold tables of ${ROWS.toLocaleString('en-US')} rows; ${builds} builds per series`);
      log(`no readers:   publish ${summary(quiet.publishMs)}; ${waits(quiet.lockWaits)}`);
      log(`a reader holding gold.a open: publish ${summary(held.publishMs)}, ${held.problems.length} errors; ${waits(held.lockWaits)}`);
      log(
        `with readers: publish ${summary(busy.publishMs)}; ${busy.reads.toLocaleString('en-US')} reads in ${busy.seconds.toFixed(1)} s ` +
          `(${Math.round(busy.reads / busy.seconds).toLocaleString('en-US')}/s), ${busy.problems.length} errors or mixed reads; ${waits(busy.lockWaits)}`,
      );
      for (const problem of busy.problems.slice(0, 5)) log(`  ${problem}`);
      log(
        `ratio:     median publish ÷ without readers: holder ${(median(held.publishMs) / median(quiet.publishMs)).toFixed(2)}, ` +
          `holder and reader loops ${(median(busy.publishMs) / median(quiet.publishMs)).toFixed(2)}`,
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A project of gold tables that all carry the build's marker, so a mixed read is visible. */
async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'models', 'gold'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: publish_bench\n  vars: {marker: 0}\n');
  for (const table of TABLES) {
    await writeFile(
      join(dir, 'models', 'gold', `${table}.sql`),
      `select g as id, {{ var('marker') }} as marker, md5(g::text) as filler\nfrom generate_series(1, ${ROWS}) as g\n`,
    );
  }
}

/** `builds` builds, with `readers` reading meanwhile, and a sampler of lock waits. */
async function series(builds: number, build: () => Promise<number>, url: string, readers: Readers | undefined): Promise<Series> {
  const clients: pg.Client[] = [];
  const problems: string[] = [];
  let reads = 0;
  let stop = false;
  const loops: Promise<void>[] = [];
  if (readers?.holder) {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select count(*) from gold.a'); // holds gold.a until the series ends
    clients.push(holder);
  }
  if (readers !== undefined) {
    for (let i = 0; i < readers.loops; i++) {
      const reader = new pg.Client({ connectionString: url });
      await reader.connect();
      clients.push(reader);
      loops.push((async () => {
        // one statement over every view, as a dashboard panel issues it: one build, never a mix
        const sql = `select ${TABLES.map((t) => `(select max(marker) from gold.${t} where id <= 2000) as ${t}`).join(', ')}`;
        while (!stop) {
          try {
            const row = (await reader.query<Record<string, number>>(sql)).rows[0]!;
            reads++;
            if (new Set(TABLES.map((t) => row[t])).size !== 1) problems.push(`mixed read ${JSON.stringify(row)}`);
          } catch (error) {
            problems.push((error as Error).message);
          }
        }
      })());
    }
  }
  const lockWaits = new Map<string, number>();
  const sampler = new pg.Client({ connectionString: url });
  await sampler.connect();
  clients.push(sampler);
  loops.push((async () => {
    while (!stop) {
      const waiting = await sampler.query<{ what: string }>(
        `select coalesce(application_name, '') || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as what
           from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
      );
      for (const { what } of waiting.rows) lockWaits.set(what, (lockWaits.get(what) ?? 0) + 1);
      await new Promise((done) => setTimeout(done, 10));
    }
  })());
  const started = performance.now();
  const publishMs: number[] = [];
  try {
    for (let i = 0; i < builds; i++) publishMs.push(await build());
  } finally {
    stop = true;
    await Promise.all(loops);
    for (const client of clients) await client.end().catch(() => {});
  }
  return { publishMs, reads, problems, seconds: (performance.now() - started) / 1000, lockWaits };
}

function waits(lockWaits: ReadonlyMap<string, number>): string {
  if (lockWaits.size === 0) return 'no statement seen waiting for a lock';
  const top = [...lockWaits].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return `lock waits seen (10 ms samples): ${top.map(([what, n]) => `${n}× ${what}`).join('; ')}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function summary(ms: readonly number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${median(ms).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
}
