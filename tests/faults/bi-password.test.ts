import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biConnectionHint } from '../../scripts/cli/connection-hint.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import { UsageError } from '../../scripts/core/errors.ts';
import type { ProjectSettings } from '../../scripts/core/types.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { redactUrl } from '../../scripts/db/redact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testTargetDir } from '../support/scratch.ts';

// The summary's hint for BI tools, when the role's password was changed elsewhere (another
// checkout on the same server): it must not point at a password file that no longer works.

const role = `bi_check_${randomBytes(3).toString('hex')}`;
let test: TestDatabase;
let stateDir: string;
beforeAll(async () => {
  test = await createTestDatabase('faults_bi');
  stateDir = await mkdtemp(join(tmpdir(), 'strata-bi-'));
  await test.pool.query(`create role ${role} login password 'right-one'`);
});
afterAll(async () => {
  // roles belong to the server, not the database
  await test?.pool.query(`drop role if exists ${role}`).catch(() => {});
  await test?.drop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('the BI connection hint', () => {
  it('checks the kept password once and says plainly when it no longer works', async () => {
    const settings: ProjectSettings = { name: 'p', dir: stateDir, vars: {}, biRole: role, biLayers: ['gold'], keepBuilds: 3, metadataSchema: 'strata_meta' };
    const db = { url: test.url, displayUrl: redactUrl(test.url), pool: test.pool, close: async () => {} } as Database;

    await writeFile(join(stateDir, 'bi-password'), 'right-one\n');
    const good = await biConnectionHint(settings, db, stateDir);
    expect(good).toContain(`password in ${join(stateDir, 'bi-password')}`);

    await writeFile(join(stateDir, 'bi-password'), 'changed-elsewhere\n');
    const bad = await biConnectionHint(settings, db, stateDir);
    expect(bad).toContain(`the password in ${join(stateDir, 'bi-password')} does NOT work`);
    expect(bad).toContain(`alter role ${role} password '…'`);
    expect(bad).not.toContain('changed-elsewhere');
    expect(bad).not.toContain('right-one');
  });
});

describe('--vars of the wrong type', () => {
  it('is a usage error before anything opens a database', async () => {
    const fixture = join(import.meta.dirname, 'fixture');
    const options = { projectDir: fixture, select: [], exclude: [], threads: 1, fullRefresh: false };
    const error = await compileSelection({ ...options, vars: { factor: 'three' } }, undefined, testTargetDir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--vars: factor must be a whole number, not "three"');
    const warnings: string[] = [];
    await compileSelection({ ...options, vars: { facter: 3 } }, (w) => warnings.push(w), testTargetDir());
    expect(warnings).toEqual(["--vars: facter is not a var of this project; did you mean 'factor'? (models that do not read it ignore it)"]);
  });
});
