import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, stateDirOf } from '../../scripts/db/embedded.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { copyFixture, installFaultPoints, runCli, type CliRun } from './harness.ts';

// `strata dashboard` with DATABASE_URL unset starts the project's embedded PostgreSQL itself; on
// SIGTERM (what a service manager or `kill` sends) it must close the web server and stop that
// PostgreSQL too: no postgres process left behind, its port and the dashboard's port closed.

let dir: string;
beforeAll(async () => {
  dir = await copyFixture();
  // the fixture's data test reads the pause table (no pause set): created once on the project's server
  const server = await startEmbedded(stateDirOf(dir));
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  try {
    await runMigrations(pool);
    await installFaultPoints(pool);
  } finally {
    await pool.end();
    await server.stop();
  }
  // a first build (embedded server too) publishes something and creates the BI role's password
  const build = await runCli(['build', '--project-dir', dir], undefined).done;
  expect(build.code, build.stdout + build.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port, false when refused. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True while the process exists and is not a zombie (exited, waiting for its parent to reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

/**
 * Waits until the process is gone. pg_ctl's stop returns when the postmaster has removed its pid
 * file, a moment before the process itself exits: a bounded wait for that state, not a timing.
 */
async function gone(pid: number, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function waitForUrl(run: CliRun, timeoutMs = 120_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = /dashboard: (http:\/\/\S+\/)/.exec(run.output());
    if (found) return found[1]!;
    if (run.exited) throw new Error(`strata dashboard exited before serving:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`strata dashboard did not serve in ${timeoutMs} ms:\n${run.output()}`);
}

describe('strata dashboard on the embedded server', () => {
  it('stops the PostgreSQL it started when it gets SIGTERM: the process is gone and both ports are closed', async () => {
    const pidFile = join(dir, '.strata', 'pgdata', 'postmaster.pid');
    expect(existsSync(pidFile), 'the build stopped the server it started').toBe(false);

    const run = runCli(['dashboard', '--port', '0', '--project-dir', dir], undefined);
    const url = await waitForUrl(run);
    const dashboardPort = Number(new URL(url).port);
    // postmaster.pid: line 1 the postmaster's pid, line 4 its port
    const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
    const postgres = { pid: Number(pidLine), port: Number(portLine) };
    expect(alive(postgres.pid)).toBe(true);
    expect(await listening(postgres.port)).toBe(true);
    expect((await fetch(url)).status).toBe(200);

    process.kill(-run.pgid, 'SIGTERM');
    const result = await run.done;
    expect(result.code, run.output()).toBe(0);
    expect(result.stderr).toContain('stopping the dashboard');
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(existsSync(pidFile), 'postmaster.pid removed: the server shut down').toBe(false);
    expect(await gone(postgres.pid), `postgres ${postgres.pid} still running`).toBe(true);
    expect(await listening(postgres.port)).toBe(false);
    expect(await listening(dashboardPort)).toBe(false);
  });
});
