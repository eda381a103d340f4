import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../../scripts/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a superuser connection string; each test file creates its own database from it */
    adminUrl: string;
    /** where it came from: TEST_DATABASE_URL, testcontainers or embedded */
    databaseKind: string;
  }
}

/**
 * One PostgreSQL for the whole test run: TEST_DATABASE_URL when set, else testcontainers when a
 * Docker engine answers, else an embedded server in a temporary directory. Test files get their
 * own database from it (tests/support/db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminUrl', process.env.TEST_DATABASE_URL);
    project.provide('databaseKind', 'TEST_DATABASE_URL');
    return async () => {};
  }
  if (dockerMayAnswer()) {
    const container = await startContainer();
    if (container) {
      project.provide('adminUrl', container.url);
      project.provide('databaseKind', 'testcontainers');
      return container.stop;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'strata-test-'));
  const server: EmbeddedServer = await startEmbedded(dir);
  project.provide('adminUrl', server.url);
  project.provide('databaseKind', 'embedded');
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
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
