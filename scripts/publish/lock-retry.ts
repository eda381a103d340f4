import type pg from 'pg';

export interface RetryOptions {
  /** how long one attempt may wait for a lock; short, so readers never queue long behind us */
  readonly lockTimeoutMs: number;
  readonly attempts: number;
  readonly log?: (line: string) => void;
}

export const DEFAULT_RETRY: RetryOptions = { lockTimeoutMs: 500, attempts: 40 };

/**
 * Runs `work` in one transaction with a short lock_timeout, retrying when a lock is not granted
 * in time. A long BI query holding a lock on a public view makes us back off and try again,
 * instead of making every later reader queue behind our waiting exclusive lock.
 */
export async function inShortLockTransaction<T>(
  client: pg.PoolClient,
  work: (client: pg.PoolClient) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await client.query('begin');
    try {
      await client.query(`set local lock_timeout = '${Math.max(1, Math.round(options.lockTimeoutMs))}ms'`);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      const code = (error as { code?: string }).code;
      if (code !== '55P03' || attempt >= options.attempts) throw error;
      options.log?.(`publish waited for a lock held by a reader; retrying (${attempt}/${options.attempts})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * attempt) + Math.random() * 50));
    }
  }
}
