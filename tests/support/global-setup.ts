import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, stateDirOf, type EmbeddedServer } from '../../scripts/db/embedded.ts';
import { loadProject } from '../../scripts/load/index.ts';
import { ensureBiRole } from '../../scripts/publish/bi-role.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a superuser connection string; each test file creates its own database from it */
    adminUrl: string;
    /** where it came from: TEST_DATABASE_URL, testcontainers or embedded */
    databaseKind: string;
    /** a folder for this run's files (tests/support/scratch.ts), removed when the run ends */
    scratchDir: string;
  }
}

/**
 * One PostgreSQL for the whole test run: TEST_DATABASE_URL when set, else testcontainers when a
 * Docker engine answers, else an embedded server in a temporary directory. Test files get their
 * own database from it (tests/support/db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Every run's files in one folder, removed at the end: a build's target/ files in a folder per
  // test process had stayed behind, 4.4 MB each (805 of them, 3.5 GB, after a day of runs).
  const scratch = await mkdtemp(join(tmpdir(), 'strata-test-run-'));
  project.provide('scratchDir', scratch);
  const stopServer = await startServer(project);
  return async () => {
    await stopServer();
    await rm(scratch, { recursive: true, force: true });
  };
}

async function startServer(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) {
    await provide(project, process.env.TEST_DATABASE_URL, 'TEST_DATABASE_URL');
    return async () => {};
  }
  if (dockerMayAnswer()) {
    const container = await startContainer();
    if (container) {
      await provide(project, container.url, 'testcontainers');
      return container.stop;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'strata-test-'));
  const server: EmbeddedServer = await startEmbedded(dir);
  await provide(project, server.url, 'embedded');
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

async function provide(project: TestProject, adminUrl: string, kind: string): Promise<void> {
  await ensureRepositoryBiRole(adminUrl);
  project.provide('adminUrl', adminUrl);
  project.provide('databaseKind', kind);
}

/**
 * Creates this repository's BI role (strata_bi) with the password its tests log in with
 * (.strata/bi-password), before any test builds. Roles belong to the server, which every test
 * file shares, and a build creates a missing role with its own project's kept password: a test
 * project on the default role that happened to build first would otherwise lock the
 * repository's tests out of gold (the projects of tests/fixtures name roles of their own, but a
 * dbt project has no setting for it).
 */
async function ensureRepositoryBiRole(adminUrl: string): Promise<void> {
  const repository = resolve(import.meta.dirname, '..', '..');
  const { settings } = await loadProject(repository);
  const pool = new pg.Pool({ connectionString: adminUrl, max: 1 });
  try {
    await ensureBiRole(pool, settings.biRole, stateDirOf(repository));
  } finally {
    await pool.end();
  }
}

function dockerMayAnswer(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startContainer(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch {
    // A socket without a working engine behind it: fall back to the embedded server.
    return undefined;
  }
}
