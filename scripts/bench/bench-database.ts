import { openProjectDatabase } from '../cli/session.ts';
import { openDatabase, type Database } from '../db/connect.ts';
import { runMigrations } from '../db/migrate.ts';

/** A bench's database: its connection, its URL (for readers of their own), and the server's version. */
export interface BenchDatabase {
  readonly db: Database;
  readonly url: string;
  readonly version: string;
}

/**
 * Runs `use` on a new database of its own on the project's server (the embedded one unless
 * DATABASE_URL says otherwise), migrated, so that a bench never touches the project's data; the
 * database is dropped and the server closed afterwards, whether `use` succeeded or not.
 */
export async function withBenchDatabase<T>(projectDir: string, label: string, use: (bench: BenchDatabase) => Promise<T>): Promise<T> {
  const server = await openProjectDatabase(projectDir, () => {}, 2);
  const name = `strata_bench_${label}_${process.pid}`;
  await server.pool.query(`create database ${name}`);
  let db: Database | undefined;
  try {
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    db = await openDatabase({ projectDir, databaseUrl: url.toString(), poolSize: 10 });
    await runMigrations(db.pool);
    const version = (await db.pool.query<{ v: string }>('select version() as v')).rows[0]!.v.split(' on ')[0]!;
    return await use({ db, url: url.toString(), version });
  } finally {
    await db?.close();
    await server.pool.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await server.close();
  }
}
