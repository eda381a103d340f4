import type pg from 'pg';
import { toDatabaseError } from './sql-error.ts';
import type { PlannedNode } from '../core/types.ts';

/**
 * Index builds that a build runs after a node has committed, beside the nodes that come next,
 * instead of inside the node's transaction. They serve the NEXT build (an incremental build's
 * look-ups: superseded rows, the key of delete+insert, first occurrences of a line), never the
 * nodes of this one, so nothing downstream waits for them; the build waits for all of them before
 * it publishes, and does not publish when one failed. On Online Retail the staging model's five
 * such indexes took 2.5–4.7 s of its 7.6–11.8 s (docs/benchmarks.md, session 7): time the
 * critical path (staging → orders → customers → the fits) spent with one core idle.
 *
 * Crash safety: the partition they index is this build's own, invisible to readers until the
 * publish, which waits for them; a build killed before that leaves the partition unpublished, as
 * any other node of an unfinished build (the next build forgets it), with or without its indexes.
 */
export class DeferredIndexes {
  readonly #pending: Promise<string | undefined>[] = [];

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs `statements` in order on a connection of their own, each in its own transaction (an
   * index is useful as soon as it exists). The first failure ends that node's list.
   */
  run(planned: PlannedNode, statements: readonly string[]): void {
    if (statements.length === 0) return;
    this.#pending.push(this.#build(planned, statements));
  }

  async #build(planned: PlannedNode, statements: readonly string[]): Promise<string | undefined> {
    const node = planned.node;
    let client: pg.PoolClient | undefined;
    let sql = '';
    try {
      client = await this.pool.connect();
      for (sql of statements) await client.query(sql);
      return undefined;
    } catch (error) {
      const failure = toDatabaseError(error, { node: node.id, file: node.path, sql });
      return `an index of ${node.id} could not be built: ${failure.message}`;
    } finally {
      client?.release();
    }
  }

  /** Waits for every index build started so far; why the build must not publish, if one failed. */
  async settle(): Promise<string | undefined> {
    const failures = (await Promise.all(this.#pending)).filter((f): f is string => f !== undefined);
    return failures[0];
  }
}
