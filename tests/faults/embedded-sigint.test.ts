import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, stateDirOf } from '../../scripts/db/embedded.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { clearPauses, copyFixture, installFaultPoints, pauseAt, runCli, waitForPause } from './harness.ts';

// Ctrl-C on a build that started the project's embedded server itself (no DATABASE_URL): the
// server must outlive the signal (it would shut down at once if it shared the build's process
// group) until the build has recorded itself cancelled, and then be stopped.

let dir: string;
beforeAll(async () => {
  dir = await copyFixture();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `work` on the project's embedded server, started here and stopped after. */
async function withServer<T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const server = await startEmbedded(stateDirOf(dir));
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  // pool.end() resolves once its clients are told to end, not when their sockets close: the
  // server stopped right after can still end one with 57P01, which must not be an uncaught error
  // (seen once under load 16). The product's pools do the same (scripts/db/connect.ts).
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    return await work(pool);
  } finally {
    await pool.end();
    await server.stop();
  }
}

describe('Ctrl-C with the embedded server', () => {
  it('records the build cancelled, prints the summary, exits 130, and only then stops the server', async () => {
    await withServer(async (pool) => {
      await runMigrations(pool);
      await installFaultPoints(pool);
      await pauseAt(pool, 'sql model');
    });

    const run = runCli(['build', '--project-dir', dir], undefined);
    const server = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, '.strata', 'server.json'), 'utf8'));
    // the CLI starts the server: wait until it answers, then until the build sleeps at the point
    const watcher = new pg.Pool({ connectionString: `postgresql://${server.user}:${encodeURIComponent(server.password)}@localhost:${server.port}/${server.database}`, max: 1 });
    watcher.on('error', () => {});
    watcher.on('connect', (client) => client.on('error', () => {}));
    try {
      for (let i = 0; i < 600 && !run.exited; i++) {
        if (await watcher.query('select 1').then(() => true, () => false)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await waitForPause(watcher, run);
    } finally {
      await watcher.end();
    }
    process.kill(-run.pgid, 'SIGINT');
    const result = await run.done;
    expect(result.code, run.output()).toBe(130);
    expect(result.stdout).toContain('NOT published (the build was cancelled)');
    expect(existsSync(join(dir, '.strata', 'pgdata', 'postmaster.pid')), 'the server is stopped').toBe(false);

    await withServer(async (pool) => {
      await clearPauses(pool);
      const builds = await pool.query('select status from strata_meta.builds order by build_id');
      expect(builds.rows.map((r) => r.status)).toEqual(['cancelled']);
    });
  });
});
