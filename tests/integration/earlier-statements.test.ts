import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitEarlierStatements } from '../../scripts/publish/earlier-statements.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Before a build publishes, it waits (bounded) for the statements other sessions were running:
// one planned before the build attached its partitions must not run against the new pointer
// (scripts/publish/earlier-statements.ts says why). Idle sessions are not waited for.
describe('waiting for earlier statements before a publish', () => {
  let testDb: TestDatabase;
  let other: pg.Client;
  beforeAll(async () => {
    testDb = await createTestDatabase('earlier_statements');
    other = new pg.Client({ connectionString: testDb.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await testDb?.drop();
  });

  /** Starts `sql` on the other session and resolves once the server shows it running (`done`: its end). */
  async function running(sql: string): Promise<{ done: Promise<unknown> }> {
    const done = other.query(sql);
    for (;;) {
      const r = await testDb.pool.query(`select count(*)::int as n from pg_stat_activity where state = 'active' and query = $1`, [sql]);
      if (r.rows[0].n > 0) return { done };
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('waits until a statement running when it starts has ended', async () => {
    const { done } = await running('select pg_sleep(0.6)');
    const waited = await awaitEarlierStatements(testDb.pool, 5000);
    expect(waited.stillRunning).toBe(0);
    expect(waited.waitedMs).toBeGreaterThan(300);
    // the statement had ended by then
    const r = await testDb.pool.query(`select count(*)::int as n from pg_stat_activity where state = 'active' and query like 'select pg_sleep%'`);
    expect(r.rows[0].n).toBe(0);
    await done;
  });

  it('gives up after its bound, saying how many still run', async () => {
    const { done } = await running('select pg_sleep(2)');
    const waited = await awaitEarlierStatements(testDb.pool, 200);
    expect(waited.stillRunning).toBe(1);
    expect(waited.waitedMs).toBeGreaterThanOrEqual(200);
    expect(waited.waitedMs).toBeLessThan(1500);
    await done;
  });

  it('does not wait for a session idle in an open transaction', async () => {
    await other.query('begin');
    await other.query('select 1');
    const waited = await awaitEarlierStatements(testDb.pool, 5000);
    expect(waited).toMatchObject({ stillRunning: 0 });
    expect(waited.waitedMs).toBeLessThan(1000);
    await other.query('rollback');
  });
});
