import type pg from 'pg';

/** Rows as the database returns them; each panel turns them into its own typed rows. */
export type Row = Readonly<Record<string, unknown>>;

/** Something that runs a parameterised query: a pool or a client inside a transaction. */
export interface Queryable {
  query(text: string, values?: readonly unknown[]): Promise<pg.QueryResult>;
}

/**
 * Runs `work` in a read-only transaction with a statement timeout, so a panel can neither write
 * nor hold the database for long. `timeoutMs` is set with set_config (a parameter, not SQL text).
 */
export async function readOnly<T>(pool: pg.Pool, timeoutMs: number, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin transaction read only');
    await client.query(`select set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A numeric column as a number (pg returns numeric and bigint as text); null stays null. */
export function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A numeric column that is never null in its table. */
export function num0(value: unknown): number {
  return num(value) ?? 0;
}

/** A text column. */
export function str(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
