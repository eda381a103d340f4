import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Operation, OperationsProject } from '../load/operations.ts';
import { dimensionColumnsSql, type DimensionColumn } from './dimensions.ts';

/** The schema the operations live in: the public gold views they read are beside them. */
export const OPERATIONS_SCHEMA = 'gold';

/**
 * Creates (or replaces) the gold operations inside the publish transaction, after the public
 * views point at the new build. The functions read only the public gold views (security invoker:
 * they run with the caller's rights), so they always answer from the published build, and a BI
 * role that cannot read silver, bronze or a pii view cannot read them through a function either.
 * A function that no longer compiles against the new views fails the publish: nothing is
 * published. First `gold.dimension_columns()` is written from the property files' dimension
 * flags (`dimensions`; see dimensions.ts). Each function gets its description from operations/_operations.yml as a comment;
 * an undocumented function, or a documented one no file creates, is an error.
 * A file that reads a gold view this project has not published (a model left out with --exclude,
 * or one the project does not have) is not installed: that is said, not an error. Returns those
 * notes.
 */
export async function installOperations(
  client: pg.PoolClient,
  project: OperationsProject,
  biRole: string | undefined,
  dimensions: readonly DimensionColumn[],
): Promise<readonly string[]> {
  if (project.files.length === 0) return [];
  await client.query(`create schema if not exists ${quoteIdent(OPERATIONS_SCHEMA)}`);
  // the property files' dimension flags, which the operation files read
  await client.query(dimensionColumnsSql(OPERATIONS_SCHEMA, dimensions));
  const notes: string[] = [];
  const skippedNames = new Set<string>();
  for (const file of project.files) {
    const skipped = await runFile(client, file);
    if (skipped === undefined) continue;
    notes.push(`operations: ${file.file} not installed: ${skipped}`);
    for (const name of createdNames(file.sql)) skippedNames.add(name);
  }
  const created = await functionsIn(client);
  const documented = new Map(project.operations.map((o) => [o.name, o]));
  const undocumented = [...new Set(created.map((f) => f.name))].filter((n) => !documented.has(n));
  if (undocumented.length > 0) {
    throw new StrataError(`operations: ${undocumented.map((n) => `gold.${n}`).join(', ')} not documented in operations/_operations.yml`);
  }
  const missing = project.operations.filter((o) => !skippedNames.has(o.name) && !created.some((f) => f.name === o.name)).map((o) => o.name);
  if (missing.length > 0) throw new StrataError(`operations/_operations.yml documents ${missing.join(', ')}, which no operations/*.sql creates`);
  const role = biRole && (await client.query('select 1 from pg_roles where rolname = $1', [biRole])).rowCount ? quoteIdent(biRole) : undefined;
  for (const fn of created) {
    const signature = `${quoteIdent(OPERATIONS_SCHEMA)}.${quoteIdent(fn.name)}(${fn.args})`;
    await client.query(`comment on function ${signature} is ${quoteLiteral(commentOf(documented.get(fn.name)!))}`);
    // only the owner and the BI role run them (not every role of the server)
    await client.query(`revoke all on function ${signature} from public`);
    if (role) await client.query(`grant execute on function ${signature} to ${role}`);
  }
  return notes;
}

/**
 * Runs one file; a function whose result columns changed is dropped and created again. Returns
 * why the file was not installed when it reads a gold relation that does not exist (42P01).
 */
async function runFile(client: pg.PoolClient, file: { file: string; sql: string }): Promise<string | undefined> {
  await client.query('savepoint operation_file');
  try {
    await client.query(file.sql);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      await client.query('rollback to savepoint operation_file');
      return `${(error as Error).message}: a gold model it reads is not published`;
    }
    // 42P13: create or replace cannot change a function's result type
    if ((error as { code?: string }).code !== '42P13') throw located(file.file, error);
    await client.query('rollback to savepoint operation_file');
    for (const name of createdNames(file.sql)) {
      for (const fn of (await functionsIn(client)).filter((f) => f.name === name)) {
        await client.query(`drop function ${quoteIdent(OPERATIONS_SCHEMA)}.${quoteIdent(fn.name)}(${fn.args})`);
      }
    }
    try {
      await client.query(file.sql);
    } catch (again) {
      throw located(file.file, again);
    }
  }
  await client.query('release savepoint operation_file');
  return undefined;
}

function located(file: string, error: unknown): StrataError {
  const message = error instanceof Error ? error.message : String(error);
  const failure = new StrataError(`operations: ${file} failed: ${message} (nothing was published)`);
  failure.cause = error;
  return failure;
}

/** The function names a file creates (`create or replace function gold.<name>(`). */
export function createdNames(sql: string): string[] {
  return [...sql.matchAll(/create\s+or\s+replace\s+function\s+gold\.([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase());
}

async function functionsIn(client: pg.PoolClient): Promise<{ name: string; args: string }[]> {
  const result = await client.query<{ name: string; args: string }>(
    `select p.proname as name, pg_get_function_identity_arguments(p.oid) as args
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = $1 order by 1, 2`,
    [OPERATIONS_SCHEMA],
  );
  return result.rows;
}

/** The PostgreSQL comment: the description, the arguments and the result columns with units. */
export function commentOf(operation: Operation): string {
  const args = operation.arguments.map(
    (a) => `  ${a.name} (${a.type}${a.default === undefined ? '' : `, default ${a.default}`}): ${a.description}`,
  );
  const columns = operation.columns.map((c) => `  ${c.name}${c.unit ? ` [${c.unit}]` : ''}: ${c.description}`);
  return [
    operation.description,
    ...(args.length ? ['Arguments:', ...args] : []),
    ...(columns.length ? ['Returns:', ...columns] : []),
  ].join('\n');
}
