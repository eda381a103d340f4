import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireBuildLock } from '../../scripts/execute/build-lock.ts';
import { BuildLockedError } from '../../scripts/core/errors.ts';
import { fixture } from '../support/build.ts';
import { createTestDatabase } from '../support/db.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'scripts', 'cli', 'index.ts');
/** the npm scripts' entry (package.json): the packages models need loaded natively, then tsx and CLI */
const START = join(import.meta.dirname, '..', '..', 'scripts', 'cli', 'start.mjs');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function strata(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [START, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the command line', () => {
  it('exits 2 on compile errors, naming every error with file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-cli-'));
    dirs.push(dir);
    await cp(fixture('mini'), dir, { recursive: true });
    await writeFile(join(dir, 'models', 'gold', 'typo.sql'), `select 1 as a\nfrom {{ ref('custmers') }}\n`);
    await writeFile(join(dir, 'models', 'gold', 'bad_config.sql'), `{{ config(materialised='table') }}\nselect 1 as a\n`);
    const { code, stderr } = await strata(['compile', '--project-dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('models/gold/typo.sql:2');
    expect(stderr).toContain("'custmers'");
    expect(stderr).toContain('materialised');
    expect(stderr).not.toContain('    at '); // no stack trace
  });

  it('names host, port and database of a server it cannot reach, never the password', async () => {
    const { code, stderr } = await strata(['build', '--project-dir', fixture('mini')], {
      DATABASE_URL: 'postgresql://someone:hunter2secret@127.0.0.1:1/shopdb',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('127.0.0.1:1');
    expect(stderr).toContain('shopdb');
    expect(stderr).not.toContain('hunter2secret');
  });

  it('usage errors exit 2 and --help explains each command', async () => {
    expect((await strata(['ls', '--threads', 'zero', '--project-dir', fixture('mini')])).code).toBe(2);
    const help = await strata(['build', '--help']);
    expect(help.stdout).toContain('--select');
    expect(help.stdout).toContain('--full-refresh');
  });

  it('a second build on the same database is told who holds the lock', async () => {
    const db = await createTestDatabase('lock');
    try {
      const lock = await acquireBuildLock(db.pool);
      const error = await acquireBuildLock(db.pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BuildLockedError);
      expect((error as Error).message).toMatch(/another strata build is running on this database, held by \w+ \(pid \d+/);
      await lock.release();
      await (await acquireBuildLock(db.pool)).release();
    } finally {
      await db.drop();
    }
  });
});

describe('a build killed half way', () => {
  it('publishes nothing, and the next build records it as cancelled and publishes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-kill-'));
    dirs.push(dir);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'models', 'gold'), { recursive: true });
    await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: killme\n  bi_role: killme_bi\n  vars: {nap: 0}\n');
    await writeFile(join(dir, 'models', 'gold', 'fast.sql'), 'select 1 as id\n');
    await writeFile(join(dir, 'models', 'gold', 'slow.sql'), "select id from {{ ref('fast') }}, pg_sleep({{ var('nap') }})\n");
    const db = await createTestDatabase('kill');
    try {
      expect((await strata(['build', '--project-dir', dir], { DATABASE_URL: db.url })).code).toBe(0);
      const { spawn } = await import('node:child_process');
      const child = spawn('npx', ['tsx', CLI, 'build', '--project-dir', dir, '--vars', '{nap: 30}'], {
        env: { ...process.env, DATABASE_URL: db.url },
        stdio: 'ignore',
        detached: true,
      });
      // wait until the slow model is running, then kill the whole process group without warning
      for (let i = 0; i < 100; i++) {
        const running = await db.pool.query(`select 1 from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid()`);
        if (running.rowCount) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      const pubs = await db.pool.query('select build_id from strata_meta.publications');
      expect(pubs.rows.map((r) => Number(r.build_id))).toEqual([1]);
      const after = await strata(['build', '--project-dir', dir], { DATABASE_URL: db.url });
      expect(after.code).toBe(0);
      const builds = await db.pool.query('select build_id, status, published from strata_meta.builds order by build_id');
      expect(builds.rows.map((r) => [Number(r.build_id), r.status, r.published])).toEqual([
        [1, 'success', true],
        [2, 'cancelled', false],
        [3, 'success', true],
      ]);
    } finally {
      await db.drop();
    }
  });
});
