import pg from 'pg';
import { qualified, quoteIdent } from '../core/sql.ts';
import type { PlannedNode } from '../core/types.ts';
import { distribute, hasCitus } from './distribute.ts';
import { stepsFor, type Step } from './materializations/index.ts';
import type { DeferredIndexes } from './deferred-indexes.ts';
import { storeOutput } from './materializations/store.ts';
import { resolveValues } from './resolve-values.ts';
import { toDatabaseError } from './sql-error.ts';

/**
 * Runs a SQL model's materialisation steps and stores its output (materializations/store.ts) in one transaction, so a failed node leaves nothing
 * half-written in the build schema. Returns the row count the strategy marks as the node's rows.
 */
export async function runSqlNode(client: pg.PoolClient, planned: PlannedNode, deferred?: DeferredIndexes): Promise<number | null> {
  let later: readonly string[] = [];
  await client.query('begin');
  try {
    // A node's commit need not wait for its WAL to reach disk: what it wrote is this build's own,
    // invisible until the publish, whose commit is synchronous and so flushes every earlier one
    // first. A crash before that loses at most nodes of a build that never published, which the
    // next build forgets (as it forgets any unfinished build's).
    await client.query('set local synchronous_commit = off');
    const rows = await runSteps(client, planned, stepsFor(planned));
    // storing checks the rows too (a unique index over the key): the server's detail names the
    // duplicated key, so its error is reported as a statement's is
    await storeOutput(client, planned, deferred ? (statements) => (later = statements) : undefined).catch((error: unknown) => {
      throw error instanceof pg.DatabaseError ? toDatabaseError(error, { node: planned.node.id, file: planned.node.path, sql: '' }) : error;
    });
    await client.query('commit');
    // the indexes only the next build reads: built beside the nodes that come next (deferred-indexes.ts)
    deferred?.run(planned, later);
    return rows;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/** Runs steps in order; the node's rows are the last row count a step reports. */
async function runSteps(client: pg.PoolClient, planned: PlannedNode, steps: readonly Step[]): Promise<number | null> {
  let rows: number | null = null;
  for (const step of steps) rows = (await runStep(client, planned, step)) ?? rows;
  return rows;
}

async function runStep(client: pg.PoolClient, planned: PlannedNode, step: Step): Promise<number | null> {
  if (step.kind === 'distribute') {
    // Citus's message alone does not say that strata was distributing: the advice names the
    // call, with the co-location distribute() chose, and the config it came from
    const table = qualified(step.of);
    let colocation: string | undefined;
    await distribute(client, step.of, step.column, step.colocateWith, (chosen) => (colocation = chosen)).catch((error: unknown) => {
      const call = `create_distributed_table('${table}', '${step.column}'${colocation === undefined ? '' : `, colocate_with => '${colocation}'`})`;
      const advice = `strata was distributing the model's table on Citus: ${call}; the column is the model's distributed_by config, and must be one Citus can hash, of the type of the tables it joins (docs/scale-out.md)`;
      throw toDatabaseError(error, { node: planned.node.id, file: planned.node.path, sql: '', advice });
    });
    return null;
  }
  if (step.kind === 'by-engine') return runSteps(client, planned, (await hasCitus(client)) ? step.citus : step.plain);
  if (step.kind === 'with-columns') return runSteps(client, planned, step.next(await columnsOf(client, step.of.schema, step.of.name)));
  let sql = step.sql;
  try {
    sql = await resolveValues(client, step.sql);
    const result = await client.query(sql);
    return step.countsRows ? (result.rowCount ?? null) : null;
  } catch (error) {
    throw toDatabaseError(error, {
      node: planned.node.id,
      file: planned.node.path,
      sql,
      ...(step.bodyOffset !== undefined ? { bodyOffset: step.bodyOffset } : {}),
      ...(planned.lineMap ? { lineMap: planned.lineMap } : {}),
      ...(planned.isIncremental && (error as { code?: string }).code === UNDEFINED_COLUMN ? { advice: publishedLayoutAdvice(planned) } : {}),
    });
  }
}

/** SQLSTATE undefined_column. */
const UNDEFINED_COLUMN = '42703';

/**
 * What to do when an incremental build reads a column its published rows do not have: the model
 * (or a new version of strata) added the column since those rows were written. The published rows
 * stay as they are, so a build cannot add it for them; a full refresh of the model rewrites them.
 */
function publishedLayoutAdvice(planned: PlannedNode): string {
  const name = planned.node.name;
  return (
    `an incremental build of ${name} reads a column its published rows may not have: if the model's columns changed ` +
    `since they were written (an edit, or a new version of strata), rebuild it once with ` +
    `npm run build-models -- --full-refresh --select +${name}+ (the model, what it reads and what reads it)`
  );
}

/** Column names in ordinal order; temp tables are found through pg_temp. */
async function columnsOf(client: pg.PoolClient, schema: string, name: string): Promise<readonly string[]> {
  const regclass = schema === 'pg_temp' ? `pg_temp.${quoteIdent(name)}` : qualified({ schema, name });
  const result = await client.query<{ attname: string }>(
    `select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [regclass],
  );
  return result.rows.map((r) => r.attname);
}
