/**
 * A model worker thread (started by pool.ts through entry.mjs): runs the TypeScript models it is
 * sent, one at a time, each with runTsModel exactly as the build's own thread would, on a pool of
 * its own to the same database under the build's application_name (so that Ctrl-C's statement
 * cancel and the next build's clean-up of an abandoned build reach its sessions too).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { noteConnectionError } from '../../db/server-lost.ts';
import { runTsModel } from '../run-ts-node.ts';
import { errorData, type FromWorker, type ToWorker, type WorkerInit } from './messages.ts';

/** Connections per worker: models run their queries one after another; one more for a model that does not. */
const CONNECTIONS = 2;

const port = parentPort!;
const init = workerData as WorkerInit;
let pool: pg.Pool | undefined;

const send = (message: FromWorker): void => port.postMessage(message);

function connect(): pg.Pool {
  const opened = new pg.Pool({ ...init.connection, max: CONNECTIONS });
  // as the build's own pool (db/connect.ts): a client losing its server must not end the thread
  opened.on('error', noteConnectionError);
  opened.on('connect', (client) => client.on('error', noteConnectionError));
  return opened;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    void (pool?.end() ?? Promise.resolve()).finally(() => port.close());
  } else {
    const { planned, vars, buildId, published } = message.job;
    pool ??= connect();
    runTsModel(planned, { pool, vars, buildId, published, log: (line) => send({ type: 'log', line }) }).then(
      (rows) => send({ type: 'done', rows }),
      (error: unknown) => send({ type: 'failed', error: errorData(error) }),
    );
  }
});
