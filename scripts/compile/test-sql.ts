/**
 * The SQL of each generic data test: a query returning the failing rows (a test passes when it
 * returns none). `relation` is a relation token; `where` (the test's config) filters the tested
 * relation first. Column names and expressions are written as given, as dbt does, so they may be
 * quoted identifiers or expressions.
 */

/** A column name that needs no quoting (a test's `scope_by` columns must be such names). */
export const PLAIN_COLUMN = /^[a-z_][a-z0-9_$]*$/;

/** The tested relation, filtered by `where` when there is one. */
export function tested(relation: string, where: string | undefined, alias = 'm'): string {
  if (where !== undefined) return `(select * from ${relation} where ${where}) as ${alias}`;
  return alias === 'm' ? relation : `${relation} as ${alias}`;
}

export function notNullSql(relation: string, column: string, where?: string): string {
  return `select * from ${tested(relation, where)} where ${column} is null`;
}

export function uniqueSql(relation: string, column: string, where?: string): string {
  return `select ${column}, count(*) as n_records from ${tested(relation, where)} where ${column} is not null group by ${column} having count(*) > 1`;
}

/** `values` are SQL literals already (quoted or not, by the caller). */
export function acceptedValuesSql(relation: string, column: string, values: readonly string[], where?: string): string {
  return `select ${column} as value_field, count(*) as n_records from ${tested(relation, where)} where ${column} not in (${values.join(', ')}) group by ${column}`;
}

export function relationshipsSql(relation: string, column: string, to: string, field: string, where?: string): string {
  return (
    `select child.${column} from ${tested(relation, where, 'child')} left join ${to} as parent on child.${column} = parent.${field}` +
    ` where child.${column} is not null and parent.${field} is null`
  );
}

/** `expression` is a whole boolean expression (model level) or the rest of one after the column. */
export function expressionIsTrueSql(relation: string, expression: string, column?: string, where?: string): string {
  const condition = column === undefined ? expression : `${column} ${expression}`;
  return `select * from ${tested(relation, where)} where not (${condition})`;
}

export function uniqueCombinationSql(relation: string, columns: readonly string[], where?: string): string {
  const list = columns.join(', ');
  return `select ${list}, count(*) as n_records from ${tested(relation, where)} group by ${list} having count(*) > 1`;
}

export function rowCountSql(relation: string, min: number | undefined, max: number | undefined, where?: string): string {
  const bounds = [min === undefined ? '' : `count(*) < ${min}`, max === undefined ? '' : `count(*) > ${max}`].filter(Boolean);
  return `select count(*) as row_count from ${tested(relation, where)} having ${bounds.join(' or ')}`;
}

/** Returns a row when the newest `loadedAt` is older than `seconds`, or when there is none. */
export function freshnessSql(relation: string, loadedAt: string, seconds: number): string {
  return (
    `select max(${loadedAt}) as max_loaded_at from ${relation}` +
    ` having max(${loadedAt}) is null or max(${loadedAt}) < now() - interval '${seconds} seconds'`
  );
}

/**
 * The condition under which one row of the tested relation fails a row-local test: the same rows
 * the test's query returns (or groups), so a zero count of them is a pass. Nulls behave as in the
 * queries: `x not in (…)` and `not (expr)` are null, not true, for a null x.
 */
export function failsWhen(condition: string, where: string | undefined): string {
  return where === undefined ? `(${condition})` : `(${where}) and (${condition})`;
}

export const notNullFails = (column: string): string => `${column} is null`;

export const acceptedValuesFails = (column: string, values: readonly string[]): string => `${column} not in (${values.join(', ')})`;

export const expressionFails = (expression: string, column?: string): string =>
  `not (${column === undefined ? expression : `${column} ${expression}`})`;

/**
 * The rows relationshipsSql returns, as a condition on one child row (for scoping: the test runs
 * its own query, TestCheck `ownQuery`). Without nulls in the subquery, a null cannot hide a miss.
 */
export const relationshipsFails = (column: string, to: string, field: string): string =>
  `${column} is not null and ${column} not in (select ${field} from ${to} where ${field} is not null)`;
