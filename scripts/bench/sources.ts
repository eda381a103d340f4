import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { runBuild } from '../cli/build.ts';
import { compileSelection } from '../cli/session.ts';
import { loadFile } from '../ingest/load.ts';
import { withBenchDatabase } from './bench-database.ts';
import { describeBuild } from './report-lines.ts';
import { machineLine, mib, trackPeakMemory } from './machine.ts';
import { nextDaysBatch } from './pipeline.ts';

const PROJECT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(process.env.STRATA_DATA_DIR ?? '/work/shared/data');
/** Every real file the project reads, in the order a user would load them. */
const FILES = [
  'online_retail/online_retail.csv.gz',
  'traveltide/users.csv.gz',
  'traveltide/flights.csv.gz',
  'traveltide/hotels.csv.gz',
  'airline_loyalty/customer_loyalty_history.csv.gz',
  'airline_loyalty/customer_flight_activity.csv.gz',
];

/**
 * `bench sources`: one database holding every source (Online Retail, TravelTide, the airline), as
 * a company with several businesses in one warehouse would. Online Retail is loaded and built
 * first, then the travel and airline files are loaded and built incrementally (a source arriving
 * later), then the next day of retail orders (the last day replayed one day later) is loaded and
 * built incrementally, and last a build with nothing new. What it shows: what one source's batch costs beside the others' history
 * (the unions of silver.order_lines and returns read leg by leg, the gold tables of the other
 * sources kept, execute/keep-unchanged.ts), and what reading gold.data_quality_counts costs.
 */
export async function benchSources(log: (line: string) => void): Promise<void> {
  const memory = trackPeakMemory();
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-sources-'));
  try {
    await withBenchDatabase(PROJECT, 'sources', async ({ db, version }) => {
      const options = { projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 4, fullRefresh: false };
      const compiled = await compileSelection(options);
      const build = async (label: string): Promise<string[]> => {
        const started = performance.now();
        const outcome = await runBuild({ command: 'bench', options, compiled, db, log: () => {} });
        const seconds = (performance.now() - started) / 1000;
        if (outcome.exitCode !== 0) throw new Error(`the bench build (${label}) failed: ${outcome.report.blockedBy}`);
        return describeBuild(label, seconds, outcome.report);
      };
      const load = async (files: readonly string[]): Promise<number> => {
        let lines = 0;
        for (const file of files) lines += (await loadFile(db.pool, { file: file.startsWith('/') ? file : join(DATA, file) })).linesLoaded;
        return lines;
      };

      const out: string[] = [];
      const retail = await load(FILES.slice(0, 1));
      out.push(`Online Retail: ${retail.toLocaleString('en-US')} lines`, ...(await build('full build, Online Retail alone')));
      const others = await load(FILES.slice(1));
      out.push(`TravelTide and airline: ${others.toLocaleString('en-US')} rows`, ...(await build('incremental build, TravelTide and the airline added')));
      const next = await nextDaysBatch(db.pool, dir, 0);
      const day = await load([next.file]);
      out.push(`next retail day: ${day.toLocaleString('en-US')} lines`, ...(await build('incremental build, one retail day')));
      out.push('nothing new', ...(await build('build with nothing new')));
      const reads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await db.pool.query('select count(*) from gold.data_quality_counts');
        reads.push(performance.now() - started);
      }

      log(machineLine(version));
      log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) at the end; other work on the machine shares its cores`);
      for (const line of out) log(line);
      log(`gold.data_quality_counts: read in ${reads.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
      log(`peak RSS:  ${mib(memory.peak())}`);
    });
  } finally {
    memory.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
