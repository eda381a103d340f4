import pg from 'pg';
import { ConnectionError, UsageError } from '../core/errors.ts';
import { startEmbedded, stateDirOf, type EmbeddedServer } from './embedded.ts';
import { describeUrl, redactUrl } from './redact.ts';
import { noteConnectionError } from './server-lost.ts';

// numeric and bigint come back as strings by default; counts and sums are read as numbers
// where they are used, so the raw text is kept here and no precision is lost silently.

export interface Database {
  /** full connection string, with the password: never print it */
  readonly url: string;
  /** the same without the password */
  readonly displayUrl: string;
  readonly pool: pg.Pool;
  /** present when strata started or joined the project's embedded server */
  readonly embedded?: EmbeddedServer;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly projectDir: string;
  /** DATABASE_URL, when set */
  readonly databaseUrl?: string;
  readonly log?: (line: string) => void;
  readonly poolSize?: number;
  /** application_name of every connection (default `strata`); builds use their own, build-sessions.ts */
  readonly applicationName?: string;
}

/**
 * The database a command works on: `DATABASE_URL` when given, else the project's embedded
 * server (started now, or joined when already running). Fails with a ConnectionError that
 * names host, port and database and never the password.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) checkUrlShape(options.databaseUrl);
  const embedded = options.databaseUrl ? undefined : await startEmbedded(stateDirOf(options.projectDir), options.log);
  const url = options.databaseUrl ?? embedded!.url;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'strata',
    // JIT costs a second or more on the mid-sized queries models run and rarely pays back; the
    // default 4 MB work_mem sends every dedupe sort of a few hundred thousand lines to disk, and
    // the default 64 MB maintenance_work_mem the sort of an index build over the staging lines.
    // (Startup options: a pooler such as PgBouncer needs them in ignore_startup_parameters.)
    options: '-c jit=off -c work_mem=128MB -c maintenance_work_mem=256MB',
  });
  // A client losing its server must not crash the process (an 'error' event nobody listens to
  // throws): idle ones are covered by the pool's handler, checked-out ones (the build lock's,
  // a running node's) by their own. The query in flight, or the next one, reports the error.
  pool.on('error', noteConnectionError);
  pool.on('connect', (client) => client.on('error', noteConnectionError));
  await checkConnection(pool, url);
  return {
    url,
    displayUrl: redactUrl(url),
    pool,
    ...(embedded ? { embedded } : {}),
    close: async () => {
      await pool.end();
      if (embedded) await embedded.stop();
    },
  };
}

/**
 * A DATABASE_URL that is not a postgres URL at all: said plainly, before pg reads it as a path
 * relative to some base and reports a host lookup failure for a host nobody named. The value is
 * not repeated (it may hold a password).
 */
export function checkUrlShape(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const postgres = parsed !== undefined && ['postgres:', 'postgresql:'].includes(parsed.protocol);
  // a Unix socket may be given as ?host=/var/run/postgresql with no host part, or as socket:/dir
  const ok = postgres ? Boolean(parsed!.hostname || parsed!.searchParams.get('host')) : parsed?.protocol === 'socket:';
  if (!ok) {
    throw new UsageError(
      'DATABASE_URL is not a valid PostgreSQL connection URL; expected postgresql://user:password@host:5432/database ' +
        '(special characters in the password percent-encoded), or unset it to use the embedded server',
    );
  }
}

async function checkConnection(pool: pg.Pool, url: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    const { host, port, database } = describeUrl(url);
    await pool.end().catch(() => {});
    throw new ConnectionError(host, port, database, reasonOf(error), { cause: error });
  }
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === '28P01') return 'password authentication failed';
  if (code === '3D000') return 'the database does not exist';
  return error.message;
}
