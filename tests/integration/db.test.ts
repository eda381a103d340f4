import { afterAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { redactUrl } from '../../scripts/db/redact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase | undefined;
afterAll(async () => db?.drop());

describe('test database', () => {
  it('is a real PostgreSQL 15+ and takes the migrations once', async () => {
    db = await createTestDatabase('db');
    const version = await db.pool.query<{ v: string }>('select current_setting(\'server_version_num\') as v');
    expect(Number(version.rows[0]!.v)).toBeGreaterThanOrEqual(150000);
    const first = await runMigrations(db.pool);
    expect(first).toContain('1_runner_metadata.sql');
    const second = await runMigrations(db.pool);
    expect(second).toEqual([]);
    const tables = await db.pool.query(`select count(*)::int as n from information_schema.tables where table_schema = 'strata_meta'`);
    expect(tables.rows[0].n).toBeGreaterThanOrEqual(6);
  });

  it('never prints the password of a connection string', () => {
    expect(redactUrl('postgresql://strata:s3cret@localhost:5432/strata')).toBe('postgresql://strata@localhost:5432/strata');
    expect(redactUrl('postgresql://strata:s3cret@localhost:5432/strata?password=x')).not.toContain('s3cret');
  });
});
