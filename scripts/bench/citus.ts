import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runBuild } from '../cli/build.ts';
import { compileSelection } from '../cli/session.ts';
import { clusterDown, clusterLayout, clusterUp, coordinatorUrl, SHARD_COUNT, singleNodeUp } from '../citus/cluster.ts';
import { ensureCitus } from '../citus/install.ts';
import { UsageError } from '../core/errors.ts';
import { openDatabase } from '../db/connect.ts';
import { runMigrations } from '../db/migrate.ts';
import { loadFile } from '../ingest/load.ts';
import { writeCsv } from '../ingest/synthetic/csv-file.ts';
import { machineLine } from './machine.ts';

const PROJECT = resolve(import.meta.dirname, '..', '..');
/** the generator writes about this many lines per customer (as in bench pipeline) */
const LINES_PER_CUSTOMER = 108.6;
/** ports of the benchmark's own servers, apart from `npm run citus -- up` (9700) and test:citus (9710) */
const PORT = 9720;

/** What one side of the comparison measured. */
interface Side {
  readonly label: string;
  readonly loadSeconds: number;
  readonly buildSeconds: number;
  readonly slowest: string;
  /** the machine's 1-minute load average when the build started and when it ended */
  readonly load: string;
}

/**
 * `npm run bench -- citus [--lines N]`: the same generated file loaded and built on one plain
 * PostgreSQL 15 server and on a local Citus cluster (coordinator + two workers) of the same
 * installation, in the project's scale-out layout. On one machine the workers share its cores
 * with the coordinator, so the figure is Citus's overhead (planning, shard DDL, moving rows
 * between nodes), not a speed-up; docs/scale-out.md says what changes with real workers.
 */
export async function benchCitus(values: { readonly lines?: string }, log: (line: string) => void): Promise<void> {
  const lines = Number(values.lines ?? 1_000_000);
  if (!Number.isInteger(lines) || lines < 1000) throw new UsageError('--lines must be a whole number ≥ 1000');
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-citus-'));
  const pgi = await ensureCitus(PROJECT, log);
  const cluster = clusterLayout(join(dir, 'cluster'), PORT);
  let single: Awaited<ReturnType<typeof singleNodeUp>> | undefined;
  try {
    const file = join(dir, 'lines.csv');
    await writeCsv({ customers: Math.max(10, Math.round(lines / LINES_PER_CUSTOMER)), seed: 1 }, file);
    single = await singleNodeUp(join(dir, 'single'), PORT + 3, pgi);
    await clusterUp(cluster, pgi, () => {});
    const sides: Side[] = [];
    for (const [label, url] of [['one node (PostgreSQL 15)', single.url], [`3-node Citus (${SHARD_COUNT} shards/table)`, coordinatorUrl(cluster)]] as const) {
      const db = await openDatabase({ projectDir: PROJECT, databaseUrl: url, poolSize: 10 });
      try {
        await runMigrations(db.pool);
        const loaded = await loadFile(db.pool, { file });
        const options = { projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 4, fullRefresh: false };
        const compiled = await compileSelection(options);
        const loadBefore = loadavg()[0]!.toFixed(1);
        const started = performance.now();
        const outcome = await runBuild({ command: 'bench', options, compiled, db, log: () => {} });
        const buildSeconds = (performance.now() - started) / 1000;
        if (outcome.exitCode !== 0) {
          const why = outcome.report.tests.find((t) => t.status !== 'pass' && t.message !== undefined)?.message;
          throw new Error(`the ${label} build failed: ${outcome.report.blockedBy}${why === undefined ? '' : `: ${why}`}`);
        }
        const slowest = [...outcome.report.nodes].sort((a, b) => b.durationMs - a.durationMs).slice(0, 6)
          .map((n) => `${n.id.replace(/^model\./, '')} ${(n.durationMs / 1000).toFixed(1)} s`).join(', ');
        const side: Side = { label, loadSeconds: loaded.seconds, buildSeconds, slowest, load: `${loadBefore} → ${loadavg()[0]!.toFixed(1)}` };
        sides.push(side);
        if (sides.length === 1) {
          const version = (await db.pool.query<{ v: string }>('select version() as v')).rows[0]!.v.split(' on ')[0]!;
          log(machineLine(version));
          log(`data:      synthetic, ${loaded.linesLoaded.toLocaleString('en-US')} lines`);
        }
        // each side as soon as it is measured: a long run that fails later keeps what it measured
        logSide(side, log);
      } finally {
        await db.close();
      }
    }
    log(`cluster ÷ one node (build): ${(sides[1]!.buildSeconds / sides[0]!.buildSeconds).toFixed(2)} (all nodes on this machine's cores: overhead, not speed-up)`);
  } finally {
    await single?.down().catch(() => {});
    await clusterDown(cluster, pgi, true, () => {}).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

function logSide(s: Side, log: (line: string) => void): void {
  log(`${s.label}: load ${s.loadSeconds.toFixed(1)} s, build ${s.buildSeconds.toFixed(1)} s (machine load average ${s.load} during the build)`);
  log(`  slowest: ${s.slowest}`);
}
