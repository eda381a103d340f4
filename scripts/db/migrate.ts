import { fileURLToPath } from 'node:url';
import { migrate } from 'postgres-migrations';
import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { distributeLandingByInvoice } from './citus-landing.ts';

/** strata's own migrations: the runner's metadata schema and the landing tables loaders write. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies pending migrations (postgres-migrations: plain numbered SQL files, each applied once in a
 * transaction, hashes checked so an edited migration is refused). On a Citus server it then
 * distributes the landed retail lines by invoice (once; docs/scale-out.md).
 * @returns the names of the migrations applied now
 */
export async function runMigrations(pool: pg.Pool, dir: string = MIGRATIONS_DIR): Promise<readonly string[]> {
  const client = await pool.connect();
  try {
    const applied = await migrate({ client }, dir);
    if (dir === MIGRATIONS_DIR) await distributeLandingByInvoice(client);
    return applied.map((m) => m.fileName);
  } catch (error) {
    throw new StrataError(`migrations in ${dir} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    client.release();
  }
}
