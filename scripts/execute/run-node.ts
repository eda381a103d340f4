import { join } from 'node:path';
import type pg from 'pg';
import { DatabaseError, ModelError, StrataError, describeNode } from '../core/errors.ts';
import { serverLostReason } from '../db/server-lost.ts';
import type { NodeResult, PlannedNode, PublishedState } from '../core/types.ts';
import { storeOutputOf } from './materializations/store.ts';
import type { DeferredIndexes } from './deferred-indexes.ts';
import { runSqlNode } from './run-sql-node.ts';
import { runTsNode } from './run-ts-node.ts';
import { stackLineIn } from './stack-line.ts';
import { WorkerThreadError } from './ts-worker/messages.ts';
import type { TsWorkers } from './ts-worker/pool.ts';
import { inferSeedColumns, loadSeed } from './seed/index.ts';

/** What running any one node needs from the build it belongs to. */
export interface RunContext {
  readonly pool: pg.Pool;
  readonly projectDir: string;
  /** seed name → column types declared in its properties */
  readonly seedTypes: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  readonly published: PublishedState;
  readonly log: (line: string) => void;
  /** told when a node failed because the server went away (restart, shutdown, lost connection) */
  readonly onServerLost?: (reason: string, nodeId: string) => void;
  /**
   * Worker threads to run TypeScript models in (ts-worker/pool.ts), so that their computing does
   * not hold this thread; without them a model runs on this thread.
   */
  readonly tsWorkers?: TsWorkers;
  /**
   * Where a first or full build of an incremental model or snapshot leaves the index builds that
   * only the next build reads (deferred-indexes.ts); without it they are built in the node.
   */
  readonly deferredIndexes?: DeferredIndexes;
}

/**
 * Writes one planned node (seed, SQL model or TypeScript model) into this build's schema. Never
 * throws: an error becomes the node's result, so the scheduler can skip its descendants and go on.
 */
export async function runNode(planned: PlannedNode, context: RunContext): Promise<NodeResult> {
  const started = performance.now();
  const node = planned.node;
  try {
    const rows = await writeNode(planned, context);
    return { id: node.id, status: 'success', rows, durationMs: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const lost = serverLostReason(error) ?? serverLostReason(cause) ?? lostInDatabaseError(error) ?? lostInWorker(error) ?? lostInWorker(cause);
    if (lost) context.onServerLost?.(lost, node.id);
    const message = lost
      ? `Error in ${describeNode(node.id, { file: node.path, line: 1 })}: ${lost}`
      : (error instanceof StrataError ? error : explain(planned, error)).message;
    return { id: node.id, status: 'error', rows: null, durationMs: performance.now() - started, error: message };
  }
}

/**
 * An exception that is not one of ours, named with its node and line: for a TypeScript model, the
 * line of the model file the exception came from (line 1 when the stack does not pass through it).
 */
export function explain(planned: PlannedNode, error: unknown): ModelError {
  const node = planned.node;
  const stack = error instanceof Error ? error.stack : undefined;
  const line = (node.language === 'ts' ? stackLineIn(stack, node.module) : undefined) ?? 1;
  const detail = error instanceof Error ? error.message : String(error);
  return new ModelError(node.id, { file: node.path, line }, detail, { cause: error });
}

/** Writes the node and stores its output (materializations/store.ts): SQL models do both in one transaction. */
async function writeNode(planned: PlannedNode, context: RunContext): Promise<number | null> {
  const node = planned.node;
  const rows = node.language !== 'ts' ? undefined : context.tsWorkers
    ? await context.tsWorkers.run(planned, { ...context, published: context.published.relations })
    : await runTsNode(planned, context);
  const client = await context.pool.connect();
  try {
    if (rows !== undefined) {
      await storeOutputOf(client, planned);
      return rows;
    }
    if (node.resourceType !== 'seed') return await runSqlNode(client, planned, context.deferredIndexes);
    const file = join(context.projectDir, node.path);
    const columns = await inferSeedColumns(file, context.seedTypes.get(node.name) ?? {});
    const loaded = await loadSeed(client, planned.target, file, columns);
    await storeOutputOf(client, planned);
    return loaded;
  } finally {
    client.release();
  }
}

/** A model run in a worker thread that saw its server go (messages.ts). */
function lostInWorker(error: unknown): string | undefined {
  return error instanceof WorkerThreadError ? error.serverLost : undefined;
}

/** A SQL model's error keeps the server's code in its fields (DatabaseError). */
function lostInDatabaseError(error: unknown): string | undefined {
  return error instanceof DatabaseError ? serverLostReason({ code: error.fields.code, message: error.pgMessage }) : undefined;
}
