import { resolve } from 'node:path';
import { openDatabase, type Database } from '../db/connect.ts';
import { runMigrations } from '../db/migrate.ts';

/** Everything the ingest commands say goes to stderr; stdout is left for results. */
export const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * The database to write to: DATABASE_URL when set, else the project's embedded server; migrated,
 * so the landing tables exist on a fresh database.
 */
export async function openIngestDatabase(projectDir: string): Promise<Database> {
  const db = await openDatabase({
    projectDir: resolve(projectDir),
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    log,
    poolSize: 2,
  });
  try {
    for (const name of await runMigrations(db.pool)) log(`applied migration ${name}`);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** 1234567 → '1,234,567' */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
