import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { StrataError } from '../core/errors.ts';
import type { TsModel, TsModelContext } from '../core/ts-model.ts';
import { qualified } from '../core/sql.ts';
import type { PlannedNode } from '../core/types.ts';
import type { RunContext } from './run-node.ts';

/** The part of a node's run context a TypeScript model sees. */
export type TsRunContext = Pick<RunContext, 'pool' | 'vars' | 'buildId' | 'published' | 'log'>;

/**
 * Imports a TypeScript model and runs it against this build: it sees only the inputs it declared
 * and must leave a table at its target. Returns the rows it wrote.
 */
export async function runTsNode(planned: PlannedNode, context: TsRunContext): Promise<number> {
  const node = planned.node;
  if (node.language !== 'ts') throw new StrataError(`${node.id} (${node.path}) is not a TypeScript model`);
  const module = (await import(pathToFileURL(node.module).href)) as { default?: TsModel };
  if (!module.default || typeof module.default.run !== 'function') {
    throw new StrataError(`model ${node.name} (${node.path}): the default export is not a model; use defineModel({...})`);
  }
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: context.pool }) });
  const modelContext: TsModelContext = {
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
    vars: context.vars,
    buildId: context.buildId,
    published: (name) => context.published.relations[`model.${name}`],
    log: (message) => context.log(`${node.name}: ${message}`),
  };
  const result = await module.default.run(modelContext);
  const exists = await context.pool.query<{ found: string | null }>('select to_regclass($1) as found', [qualified(planned.target)]);
  if (!exists.rows[0]?.found) {
    throw new StrataError(`model ${node.name} (${node.path}) finished without creating its table ${qualified(planned.target)}`);
  }
  if (result && typeof result.rows === 'number') return result.rows;
  const count = await context.pool.query<{ n: string }>(`select count(*) as n from ${qualified(planned.target)}`);
  return Number(count.rows[0]?.n ?? 0);
}
