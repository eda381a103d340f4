import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The fault suite's tools: a copy of the small fixture project, pause points the build can be
 * caught at (a row in public.fault_point makes the build's own session sleep there), the CLI run
 * in a process group of its own (so a signal reaches every process in it, as a terminal's Ctrl-C
 * does), and what "nothing changed" is measured with.
 */

const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The program the npm scripts run (`npm run build-models` is `node scripts/cli/start.mjs build`),
 * started directly so that the exit code is the program's own (npm re-raises a signal it got).
 * Not through tsx's CLI, as before: its signal relay SIGKILLs a child that does not acknowledge a
 * signal within 60 ms and exits 143, which a loaded machine met (a wrapper users never run).
 */
const START = join(ROOT, 'scripts', 'cli', 'start.mjs');

export type FaultPoint = 'seed' | 'sql model' | 'ts model' | 'tests' | 'publish';
export const FAULT_POINTS: readonly FaultPoint[] = ['seed', 'sql model', 'ts model', 'tests', 'publish'];

/** Where each point pauses: a DDL command on the build's own object (LIKE pattern) or a named point. */
const PATTERNS: Readonly<Record<FaultPoint, string | null>> = {
  seed: 'bronze\\_\\_b%.amounts',
  'sql model': 'silver\\_\\_b%.doubled',
  'ts model': 'gold\\_\\_b%.totals',
  tests: null, // the singular test reads public.fault_point itself
  publish: null, // the trigger on strata_meta.publications, inside the publish transaction
};

/** A fresh copy of tests/faults/fixture (builds write target/ and .strata/ into it). */
export async function copyFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-faults-'));
  await cp(join(import.meta.dirname, 'fixture'), dir, { recursive: true });
  return dir;
}

/** Installs the pause machinery; call on a migrated database (strata_meta must exist). */
export async function installFaultPoints(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table if not exists public.fault_point (point text primary key, pattern text, seconds float8 not null);
    create or replace function public.fault_pause_ddl() returns event_trigger language plpgsql as $$
    declare
      r record;
      secs float8;
    begin
      for r in select object_identity from pg_event_trigger_ddl_commands() loop
        select max(seconds) into secs from public.fault_point f where f.pattern is not null and r.object_identity like f.pattern;
        if secs is not null then perform pg_sleep(secs); end if;
      end loop;
    end $$;
    drop event trigger if exists fault_pause_ddl;
    create event trigger fault_pause_ddl on ddl_command_end execute function public.fault_pause_ddl();
    create or replace function public.fault_pause_publish() returns trigger language plpgsql as $$
    begin
      perform pg_sleep(coalesce((select seconds from public.fault_point where point = 'publish'), 0));
      return new;
    end $$;
    drop trigger if exists fault_pause_publish on strata_meta.publications;
    create trigger fault_pause_publish after insert on strata_meta.publications
      for each row execute function public.fault_pause_publish();
  `);
}

/** The next build sleeps at `point` for `seconds` (until cancelled or killed). */
export async function pauseAt(pool: pg.Pool, point: FaultPoint, seconds = 120): Promise<void> {
  await pool.query('delete from public.fault_point');
  await pool.query('insert into public.fault_point (point, pattern, seconds) values ($1, $2, $3)', [
    point === 'tests' ? 'test' : point,
    PATTERNS[point],
    seconds,
  ]);
}

export async function clearPauses(pool: pg.Pool): Promise<void> {
  await pool.query('delete from public.fault_point');
}

/** Sessions sleeping at a fault point right now (only builds sleep in the fault suite's databases). */
export async function sleepingBuildSessions(pool: pg.Pool): Promise<number> {
  const found = await pool.query(
    `select 1 from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep' and pid <> pg_backend_pid()`,
  );
  return found.rowCount ?? 0;
}

/** Waits until a build session sleeps at the fault point. */
export async function waitForPause(pool: pg.Pool, run: CliRun, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await sleepingBuildSessions(pool)) > 0) return;
    if (run.exited) throw new Error(`the build ended before reaching the fault point:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the build did not reach the fault point in ${timeoutMs} ms:\n${run.output()}`);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun {
  /** the process group (the program's process leads it) */
  readonly pgid: number;
  readonly done: Promise<CliResult>;
  readonly exited: boolean;
  output(): string;
}

/** `strata <args>`, in a process group of its own, against `url` (none: the project's embedded server). */
export function runCli(args: readonly string[], url: string | undefined): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_DEBUG: '' };
  if (url === undefined) delete env['DATABASE_URL'];
  else env['DATABASE_URL'] = url;
  const child = spawn(process.execPath, [START, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    pgid: child.pid!,
    done,
    get exited() {
      return exited;
    },
    output: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
  };
}

/** What BI users see in gold, as one hash: the rows of every published gold view. */
export async function goldChecksum(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ sum: string }>(
    `select md5(string_agg(line, '|' order by line)) as sum from (
       select 'totals ' || t::text as line from gold.totals t
       union all select 'summary ' || s::text from gold.summary s) lines`,
  );
  return result.rows[0]!.sum;
}

/** Build ids of every publication, in order. */
export async function publications(pool: pg.Pool): Promise<number[]> {
  const result = await pool.query<{ build_id: string }>('select build_id from strata_meta.publications order by publication_id');
  return result.rows.map((r) => Number(r.build_id));
}

export async function buildRow(pool: pg.Pool, buildId: number): Promise<{ status: string; message: string | null; published: boolean }> {
  const result = await pool.query('select status, message, published from strata_meta.builds where build_id = $1', [buildId]);
  return result.rows[0];
}

export async function lastBuildId(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ id: string }>('select max(build_id) as id from strata_meta.builds');
  return Number(result.rows[0]!.id);
}

export interface FaultProject {
  readonly test: TestDatabase;
  readonly db: Database;
  readonly dir: string;
  /** gold's checksum after the first build; every later published build has the same data */
  readonly baseline: string;
  /** the next build (in process, as the CLI runs it) publishes, and gold is as before the fault */
  nextBuildPublishes(): Promise<void>;
  close(): Promise<void>;
}

/** A database of its own with the fixture built and published once, and the pause points installed. */
export async function faultProject(label: string, url?: string): Promise<FaultProject> {
  const test = url ? undefined : await createTestDatabase(label);
  const dir = await copyFixture();
  const db = await openTestProjectDb(url ?? test!.url, dir);
  await installFaultPoints(db.pool);
  const first = await buildProject(db, dir);
  expect(first.exitCode, whyNot(first)).toBe(0);
  const baseline = await goldChecksum(db.pool);
  return {
    test: test ?? { url: url!, name: '', pool: db.pool, drop: async () => {} },
    db,
    dir,
    baseline,
    nextBuildPublishes: async () => {
      const next = await buildProject(db, dir);
      expect(next.exitCode, whyNot(next)).toBe(0);
      expect(await goldChecksum(db.pool)).toBe(baseline);
      expect(await sleepingBuildSessions(db.pool)).toBe(0);
    },
    close: async () => {
      await db.close();
      await test?.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
