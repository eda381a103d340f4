import { join } from 'node:path';
import pg from 'pg';
import type { Database } from '../../scripts/db/connect.ts';
import { stateDirOf } from '../../scripts/db/embedded.ts';
import { biUrl } from '../../scripts/dashboard/bi-connection.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { loadProject } from '../../scripts/load/index.ts';
import { buildProject, openTestProjectDb, whyNot } from './build.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/** The real project: what a new user builds with `npm run generate` and `npm run build-models`. */
export const PROJECT = join(import.meta.dirname, '..', '..');

export interface ReportFixture {
  readonly testDb: TestDatabase;
  readonly db: Database;
  /** a pool connected as the project's read-only BI role */
  readonly bi: pg.Pool;
  close(): Promise<void>;
}

/**
 * A fresh database with the real project built on generated data (`customers` synthetic
 * customers), published; `vars` for the build. The report, dashboard and docs read it.
 */
export async function reportFixture(label: string, customers: number, vars: Readonly<Record<string, unknown>> = {}): Promise<ReportFixture> {
  const testDb = await createTestDatabase(label);
  const db = await openTestProjectDb(testDb.url, PROJECT);
  await generate(db.pool, { customers, seed: 21 });
  const outcome = await buildProject(db, PROJECT, { vars });
  if (outcome.exitCode !== 0) throw new Error(whyNot(outcome));
  const project = await loadProject(PROJECT);
  const bi = new pg.Pool({ connectionString: await biUrl(testDb.url, project.settings.biRole, stateDirOf(PROJECT), {}), max: 4 });
  bi.on('error', () => {});
  return {
    testDb,
    db,
    bi,
    close: async () => {
      await bi.end();
      await db.close();
      await testDb.drop();
    },
  };
}
