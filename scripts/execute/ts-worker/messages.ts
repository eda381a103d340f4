/**
 * What the build's thread and a model worker thread say to each other (structured clones: plain
 * data only), and how an error crosses between them without losing what the build reports: its
 * message, whether it is one of ours, its stack (the model's file:line is read from it), and the
 * server's error code (a lost server is told apart from a failing model).
 */
import type { PoolConfig } from 'pg';
import { StrataError } from '../../core/errors.ts';
import type { PlannedNode, Relation } from '../../core/types.ts';
import { serverLostReason } from '../../db/server-lost.ts';

/** The connection settings a worker opens its own pool with: pg.Pool's options that can be cloned. */
export type WorkerConnection = Pick<
  PoolConfig,
  'connectionString' | 'host' | 'port' | 'user' | 'database' | 'application_name' | 'options' | 'ssl'
> & { readonly password?: string };

/** workerData of a model worker. */
export interface WorkerInit {
  readonly connection: WorkerConnection;
}

/** One TypeScript model to run: the node and the plain parts of its run context. */
export interface WorkerJob {
  readonly planned: PlannedNode;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  readonly published: Readonly<Record<string, Relation>>;
}

export type ToWorker =
  | { readonly type: 'run'; readonly job: WorkerJob }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'done'; readonly rows: number }
  | { readonly type: 'failed'; readonly error: ErrorData };

/** An error as it crosses threads. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** thrown as one of the error family (its message already names what to act on) */
  readonly strata: boolean;
  /** the driver's or the system's error code (SQLSTATE, ECONNRESET …) */
  readonly code?: string;
  /** the worker's reading of a lost server (it saw the shutdown notice, the build's thread did not) */
  readonly serverLost?: string;
}

/** The error a model threw in a worker, as data. */
export function errorData(error: unknown): ErrorData {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const lost = serverLostReason(error) ?? serverLostReason(cause);
  const code = (error as { code?: unknown } | null)?.code;
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    strata: error instanceof StrataError,
    ...(typeof code === 'string' ? { code } : {}),
    ...(lost ? { serverLost: lost } : {}),
  };
}

/** A model worker's error on the build's thread: the worker's stack and code, kept. */
export class WorkerThreadError extends Error {
  readonly code: string | undefined;
  readonly serverLost: string | undefined;
  constructor(data: ErrorData) {
    super(data.message);
    this.name = data.name;
    this.code = data.code;
    this.serverLost = data.serverLost;
    if (data.stack) this.stack = data.stack;
  }
}

/**
 * The error to report for a model that failed in a worker, as runNode reports one that failed on
 * this thread: one of ours keeps its message (it names the model), anything else keeps its stack
 * so that the model's file:line can be read from it.
 */
export function errorFromWorker(data: ErrorData): Error {
  const remote = new WorkerThreadError(data);
  return data.strata ? new StrataError(data.message, { cause: remote }) : remote;
}
