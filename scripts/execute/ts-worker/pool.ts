/**
 * TypeScript models run in worker threads, so that a model computing (a k-means search, a CLV
 * fit: seconds of arithmetic) never holds the build's own thread, and SQL nodes beside it keep
 * being dispatched and their results handled. The model code is the same (runTsModel); only the
 * thread differs, and with it the isolate: a worker imports the model afresh and talks to the
 * database over connections of its own.
 *
 * A build opens one TsWorkers. Its worker is started at once (its start, kysely, pg and tsx,
 * overlaps the staging models, which keep the server busy and Node idle); it takes one model at a
 * time and is reused for the next (MAX_WORKERS). A worker costs memory (its own heap and its own
 * copy of the modules: 45 MiB started, 90–110 MiB while it fits k-means on 10,000 customers), so
 * it is ended once the build's last TypeScript model has run.
 * Cancelling the build terminates the busy ones at once (a fit in the middle of its arithmetic
 * does not look at Ctrl-C); close() ends the rest. A killed build takes its threads with it, and
 * the next build ends their database sessions as any abandoned build's (db/build-sessions.ts:
 * same application_name).
 */
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { ModelError, StrataError } from '../../core/errors.ts';
import type { PlannedNode, Relation } from '../../core/types.ts';
import { errorFromWorker, type FromWorker, type ToWorker, type WorkerConnection, type WorkerInit } from './messages.ts';

const ENTRY = new URL('./entry.mjs', import.meta.url);
/** How often a busy worker checks whether the build was cancelled. */
const CANCEL_POLL_MS = 100;
/**
 * Workers alive at once, so models running at once: one. Two fits side by side finish sooner on
 * two cores, but each worker holds its own heap (a k-means fit of 10,000 customers grows it by
 * 50–70 MiB), and the Node process's peak memory has an aim (docs/benchmarks.md).
 */
const MAX_WORKERS = 1;
/**
 * The worker's young generation, where a fit's short-lived arrays live: V8's default lets it grow
 * to 32 MiB and more before a scavenge; 8 MiB kept a k-means fit of 10,000 customers 20–25 MiB
 * smaller (measured with the process's RSS), and nothing a model keeps lives there.
 */
const YOUNG_GENERATION_MB = 8;
/** Idle workers kept for the next model. */
const MAX_IDLE = 1;
/** How long close() waits for an idle worker to end its connections before terminating it. */
const CLOSE_WAIT_MS = 2000;

/** Every model worker thread of this process that has not exited, whichever build started it. */
const live = new Set<Worker>();

/** How many model worker threads of this process are alive (0 once every build has ended). */
export function liveModelWorkers(): number {
  return live.size;
}

/** What a model run in a worker needs from its build, besides the node. */
export interface WorkerRunContext {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  /** node id → published relation */
  readonly published: Readonly<Record<string, Relation>>;
  readonly log: (line: string) => void;
}

export interface TsWorkersOptions {
  /** the build's pool: its connection settings (and application_name) are the workers' */
  readonly pool: pg.Pool;
  /** true once the build is cancelled: busy workers are terminated */
  readonly cancelled: () => boolean;
  /** the TypeScript models the build will run: when the last has run, every worker is ended */
  readonly models: number;
}

/** The worker threads of one build. */
export class TsWorkers {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  /** terminations under way: close() waits for them, so that a build ends with its threads gone */
  private readonly ending = new Set<Promise<unknown>>();
  private readonly init: WorkerInit;
  private closed = false;
  private remaining: number;
  /** models running now, and those waiting for a worker (each wakes with the slot handed over) */
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: TsWorkersOptions) {
    this.init = { connection: workerConnection(options.pool) };
    this.remaining = options.models;
  }

  /** Starts a worker now, so that the first model does not wait for its start. */
  warm(): void {
    this.release(this.spawn());
  }

  /**
   * Runs one TypeScript model in a worker; resolves to the rows it wrote. Rejects with the model's
   * error as runNode reports errors of models run on the build's thread (errorFromWorker), with a
   * ModelError when the worker thread itself dies, and with a StrataError when the build was
   * cancelled while the model waited or ran (a running worker is terminated). Models beyond
   * MAX_WORKERS wait for a worker.
   */
  async run(planned: PlannedNode, context: WorkerRunContext): Promise<number> {
    const node = planned.node;
    await this.turn(planned);
    try {
      if (this.closed) throw new StrataError(`model ${node.name} (${node.path}): the build's model workers are closed`);
      return await this.runIn(this.idle.pop() ?? this.spawn(), planned, context);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
      if (--this.remaining <= 0) void this.close();
    }
  }

  /** Waits until fewer than MAX_WORKERS models run; the slot is handed over, never taken twice. */
  private turn(planned: PlannedNode): Promise<void> {
    if (this.busy < MAX_WORKERS) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        clearInterval(watch);
        resolve();
      };
      const watch = setInterval(() => {
        if (!this.options.cancelled()) return;
        clearInterval(watch);
        this.waiting.splice(this.waiting.indexOf(wake), 1);
        reject(cancelledError(planned));
      }, CANCEL_POLL_MS);
      this.waiting.push(wake);
    });
  }

  private runIn(worker: Worker, planned: PlannedNode, context: WorkerRunContext): Promise<number> {
    worker.ref();
    const node = planned.node;
    return new Promise<number>((resolve, reject) => {
      const watch = setInterval(() => {
        if (!this.options.cancelled()) return;
        finish();
        void this.kill(worker);
        reject(cancelledError(planned));
      }, CANCEL_POLL_MS);
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'log') return context.log(message.line);
        finish();
        this.release(worker);
        if (message.type === 'done') resolve(message.rows);
        else reject(errorFromWorker(message.error));
      };
      const onError = (error: Error): void => {
        finish();
        void this.kill(worker);
        reject(new ModelError(node.id, { file: node.path, line: 1 }, `its worker thread failed: ${error.message}`, { cause: error }));
      };
      const onExit = (code: number): void => {
        finish();
        this.drop(worker);
        reject(new ModelError(node.id, { file: node.path, line: 1 }, `its worker thread exited (code ${code}) before the model finished`));
      };
      function finish(): void {
        clearInterval(watch);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      }
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      post(worker, { type: 'run', job: { planned, vars: context.vars, buildId: context.buildId, published: context.published } });
    });
  }

  /** Ends every worker: idle ones close their connections first (briefly), busy ones are terminated. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = new Set(this.idle.splice(0));
    await Promise.all(
      [...this.all].map(async (worker) => {
        if (!idle.has(worker)) return this.kill(worker);
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        post(worker, { type: 'close' });
        const timer = setTimeout(() => void this.kill(worker), CLOSE_WAIT_MS);
        await exited;
        clearTimeout(timer);
        this.drop(worker);
      }),
    );
    await Promise.all(this.ending);
  }

  private spawn(): Worker {
    // execArgv empty: the parent's --import tsx is not applied to a worker's entry (entry.mjs registers tsx)
    const worker = new Worker(ENTRY, { workerData: this.init, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.all.add(worker);
    live.add(worker);
    worker.once('exit', () => live.delete(worker));
    // an idle worker's failure is not a model's: it is dropped, and the next model gets a new one
    worker.on('error', () => this.drop(worker));
    worker.on('exit', () => this.drop(worker));
    return worker;
  }

  private release(worker: Worker): void {
    if (!this.all.has(worker)) return;
    if (this.closed || this.idle.length >= MAX_IDLE) {
      void this.kill(worker);
      return;
    }
    // an idle worker does not keep the process alive
    worker.unref();
    this.idle.push(worker);
  }

  private drop(worker: Worker): void {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private async kill(worker: Worker): Promise<void> {
    this.drop(worker);
    const ended = worker.terminate();
    this.ending.add(ended);
    await ended.finally(() => this.ending.delete(ended));
  }
}

function cancelledError(planned: PlannedNode): StrataError {
  return new StrataError(`model ${planned.node.name} (${planned.node.path}): stopped, the build was cancelled`);
}

function post(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

/** The build pool's connection settings that a worker can receive (a function-valued password cannot cross threads). */
export function workerConnection(pool: pg.Pool): WorkerConnection {
  const o = pool.options;
  const pick = <K extends keyof WorkerConnection>(key: K, value: WorkerConnection[K] | undefined) =>
    value === undefined ? {} : ({ [key]: value } as Pick<WorkerConnection, K>);
  if (o.password !== undefined && typeof o.password !== 'string') {
    throw new StrataError('TypeScript models run in worker threads, which need the database password as a string');
  }
  return {
    ...pick('connectionString', o.connectionString),
    ...pick('host', o.host),
    ...pick('port', o.port),
    ...pick('user', o.user),
    ...pick('database', o.database),
    ...pick('password', o.password),
    ...pick('application_name', o.application_name),
    ...pick('options', o.options),
    ...pick('ssl', typeof o.ssl === 'object' || typeof o.ssl === 'boolean' ? o.ssl : undefined),
  };
}
