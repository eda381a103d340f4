import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBiRole } from '../../scripts/publish/bi-role.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Test files build the same project at once, on one server: its BI role and its kept password
// are created by whichever build comes first. The kept password must be the role's, and never empty.

const roles: string[] = [];
let test: TestDatabase;
let dir: string;
beforeAll(async () => {
  test = await createTestDatabase('bi_role');
  dir = await mkdtemp(join(tmpdir(), 'strata-bi-role-'));
});
afterAll(async () => {
  for (const role of roles) await test?.pool.query(`drop role if exists ${role}`).catch(() => {});
  await test?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function logsIn(role: string, password: string): Promise<boolean> {
  const url = new URL(test.url);
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('the BI role and its kept password', () => {
  it('two builds creating it at once keep one password, the role\'s', async () => {
    for (let round = 0; round < 5; round++) {
      const role = `bi_race_${randomBytes(3).toString('hex')}`;
      roles.push(role);
      const stateDir = join(dir, role);
      await Promise.all([ensureBiRole(test.pool, role, stateDir), ensureBiRole(test.pool, role, stateDir), ensureBiRole(test.pool, role, stateDir)]);
      const kept = (await readFile(join(stateDir, 'bi-password'), 'utf8')).trim();
      expect(kept).not.toBe('');
      expect(await logsIn(role, kept)).toBe(true);
    }
  });

  it('replaces an empty kept password instead of creating a role without one', async () => {
    const role = `bi_empty_${randomBytes(3).toString('hex')}`;
    roles.push(role);
    const stateDir = join(dir, role);
    await ensureBiRole(test.pool, `${role}_x`, stateDir).catch(() => {}); // makes the folder
    roles.push(`${role}_x`);
    await writeFile(join(stateDir, 'bi-password'), '\n');
    await ensureBiRole(test.pool, role, stateDir);
    const kept = (await readFile(join(stateDir, 'bi-password'), 'utf8')).trim();
    expect(kept).not.toBe('');
    expect(await logsIn(role, kept)).toBe(true);
  });
});
