import type pg from 'pg';
import type { ReadOnlyLimits } from './connections.ts';
import type { Table } from './format.ts';

let counter = 0;

/**
 * Runs one statement as the BI role in a READ ONLY transaction and returns at most rowLimit rows.
 * The statement goes through a cursor declared with the extended protocol, so it must be one
 * query (a second statement is refused by the server, not by parsing here), it cannot write
 * (read-only transaction, and the role has no write grants), and it reads at most rowLimit + 1
 * rows, however many the query would produce. `values` are bound as $1, $2, ...
 */
export async function readOnlyQuery(pool: pg.Pool, text: string, limits: ReadOnlyLimits, values: readonly unknown[] = []): Promise<Table> {
  const client = await pool.connect();
  const cursor = `strata_mcp_${++counter}`;
  try {
    await client.query('begin transaction read only');
    await client.query(`set local statement_timeout = ${Math.trunc(limits.statementTimeoutMs)}`);
    // named: the extended protocol, which accepts exactly one statement
    await client.query({ name: cursor, text: `declare ${cursor} no scroll cursor for ${stripSemicolon(text)}`, values: [...values] });
    const result = await client.query(`fetch forward ${limits.rowLimit + 1} from ${cursor}`);
    await client.query('rollback');
    const rows = result.rows as Record<string, unknown>[];
    return { columns: result.fields.map((f) => f.name), rows: rows.slice(0, limits.rowLimit), truncated: rows.length > limits.rowLimit };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    // a named statement is per connection: forget it so the name can never collide
    await client.query(`deallocate ${cursor}`).catch(() => {});
    client.release();
  }
}

function stripSemicolon(text: string): string {
  return text.trim().replace(/;\s*$/, '');
}
