import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import type { TsModel, TsModelContext, TsModelResult } from '../core/ts-model.ts';
import { qualified } from '../core/sql.ts';
import type { PlannedNode, Relation } from '../core/types.ts';
import type { RunContext } from './run-node.ts';

/** The part of a node's run context a TypeScript model sees. */
export type TsRunContext = Pick<RunContext, 'pool' | 'vars' | 'buildId' | 'published' | 'log'>;

/**
 * What a TypeScript model's run needs besides its node: plain data, so that a worker thread can
 * receive it (ts-worker/), with the pool it queries through.
 */
export interface TsModelRun {
  readonly pool: pg.Pool;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  /** node id → the published relation (PublishedState.relations) */
  readonly published: Readonly<Record<string, Relation>>;
  /** a line for the build's log, already prefixed with nothing: the model's name is added here */
  readonly log: (line: string) => void;
}

/**
 * Imports a TypeScript model and runs it against this build on this thread: it sees only the
 * inputs it declared and must leave a table at its target. Returns the rows it wrote. A build runs
 * its models in worker threads instead (ts-worker/pool.ts), through the same runTsModel.
 */
export async function runTsNode(planned: PlannedNode, context: TsRunContext): Promise<number> {
  return runTsModel(planned, { ...context, published: context.published.relations });
}

/** Imports, runs and checks one TypeScript model: the steps shared by this thread and a worker thread. */
export async function runTsModel(planned: PlannedNode, run: TsModelRun): Promise<number> {
  const model = await importTsModel(planned);
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: run.pool }) });
  const result = await model.run(tsModelContext(planned, db, run));
  return rowsWritten(planned, run.pool, result);
}

/** The model's default export, checked to be a model. */
async function importTsModel(planned: PlannedNode): Promise<TsModel> {
  const node = planned.node;
  if (node.language !== 'ts') throw new StrataError(`${node.id} (${node.path}) is not a TypeScript model`);
  const module = (await import(pathToFileURL(node.module).href)) as { default?: TsModel };
  if (!module.default || typeof module.default.run !== 'function') {
    throw new StrataError(`model ${node.name} (${node.path}): the default export is not a model; use defineModel({...})`);
  }
  return module.default;
}

function tsModelContext(planned: PlannedNode, db: Kysely<Record<string, never>>, run: TsModelRun): TsModelContext {
  const node = planned.node;
  return {
    db,
    sql,
    qualified,
    this: planned.target,
    ref: (name) => {
      const relation = planned.inputs[name];
      if (!relation) {
        throw new StrataError(`model ${node.name} (${node.path}): ref('${name}') is not declared in dependsOn`);
      }
      return relation;
    },
    vars: run.vars,
    buildId: run.buildId,
    fullRefresh: planned.fullRefresh === true,
    published: (name) => run.published[`model.${name}`],
    log: (message) => run.log(`${node.name}: ${message}`),
  };
}

/** Fails when the model left no table at its target; else the rows it says it wrote, or counts them. */
async function rowsWritten(planned: PlannedNode, pool: pg.Pool, result: TsModelResult | void): Promise<number> {
  const node = planned.node;
  const exists = await pool.query<{ found: string | null }>('select to_regclass($1) as found', [qualified(planned.target)]);
  if (!exists.rows[0]?.found) {
    throw new StrataError(`model ${node.name} (${node.path}) finished without creating its table ${qualified(planned.target)}`);
  }
  if (result && typeof result.rows === 'number') return result.rows;
  const count = await pool.query<{ n: string }>(`select count(*) as n from ${qualified(planned.target)}`);
  return Number(count.rows[0]?.n ?? 0);
}
