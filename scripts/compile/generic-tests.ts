import { CompileError } from '../core/errors.ts';
import { quoteLiteral } from '../core/sql.ts';
import type { TestCheck, TestSpec } from '../core/types.ts';
import { didYouMean } from '../core/suggest.ts';

import {
  PLAIN_COLUMN, acceptedValuesFails, acceptedValuesSql, expressionFails, expressionIsTrueSql, failsWhen, notNullFails, notNullSql,
  relationshipsFails, relationshipsSql, rowCountSql, uniqueCombinationSql, uniqueSql,
} from './test-sql.ts';

/** What a generic test is declared on: a model, a seed or a source table. */
export interface TestSubject {
  /** model.x, seed.x or source.s.t */
  readonly id: string;
  /** the part of test ids naming the subject: `orders`, `source.shop.orders` */
  readonly label: string;
  readonly token: string;
}

/** A relation named in a test argument (`to: ref('customers')`), resolved by the caller. */
export type Resolved = { readonly token: string; readonly id: string } | { readonly error: string };

/** A compiled generic test before it gets its id. */
export interface GenericTest {
  readonly test: string;
  readonly column?: string;
  readonly sql: string;
  /** a cheaper way to prove it passes (see TestCheck) */
  readonly check?: TestCheck;
  /** columns the test is local to (CompiledTest.scopeBy) */
  readonly scopeBy?: readonly string[];
  /** subject and other relations read (model/seed/source ids) */
  readonly reads: readonly string[];
  readonly customName?: string;
}

/** A test's query, and for row-local tests the condition a failing row meets (before `where`). */
type Built = string | { readonly sql: string; readonly fails: string; readonly ownQuery?: true };

type Builder = (input: {
  readonly relation: string;
  readonly column: string | undefined;
  readonly args: Readonly<Record<string, unknown>>;
  readonly where: string | undefined;
  readonly resolve: (text: string) => Resolved;
  readonly reads: string[];
}) => Built;

/** Each generic test: the arguments it takes, and its SQL (a bad argument calls `problem`). */
const TESTS: Readonly<Record<string, { readonly args: readonly string[]; readonly build: Builder }>> = {
  not_null: {
    args: [],
    build: ({ relation, column, where }) => ({ sql: notNullSql(relation, needColumn(column), where), fails: notNullFails(column!) }),
  },
  unique: { args: [], build: ({ relation, column, where }) => uniqueSql(relation, needColumn(column), where) },
  accepted_values: {
    args: ['values', 'quote'],
    build: ({ relation, column, args, where }) => {
      const values = args['values'];
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        problem("needs 'values': a non-empty list of strings, numbers or booleans");
      }
      if (args['quote'] !== undefined && typeof args['quote'] !== 'boolean') problem("'quote' must be true or false");
      const quote = args['quote'] !== false;
      const literals = values.map((v) => (quote ? quoteLiteral(String(v)) : String(v)));
      return { sql: acceptedValuesSql(relation, needColumn(column), literals, where), fails: acceptedValuesFails(column!, literals) };
    },
  },
  relationships: {
    args: ['to', 'field'],
    build: ({ relation, column, args, where, resolve, reads }) => {
      const to = args['to'];
      const field = args['field'];
      if (typeof to !== 'string') problem("needs 'to': ref('model') or source('source', 'table')");
      if (typeof field !== 'string') problem("needs 'field': the column of 'to' that the values must exist in");
      const target = resolve(to);
      if ('error' in target) problem(target.error);
      reads.push(target.id);
      // its own anti-join query, not a `not in` in the shared pass (TestCheck, `ownQuery`)
      return {
        sql: relationshipsSql(relation, needColumn(column), target.token, field, where),
        fails: relationshipsFails(column!, target.token, field),
        ownQuery: true,
      };
    },
  },
  expression_is_true: {
    args: ['expression'],
    build: ({ relation, column, args, where }) => {
      if (typeof args['expression'] !== 'string') problem("needs 'expression': a SQL boolean expression");
      return { sql: expressionIsTrueSql(relation, args['expression'], column, where), fails: expressionFails(args['expression'], column) };
    },
  },
  unique_combination_of_columns: {
    args: ['combination_of_columns'],
    build: ({ relation, args, where }) => {
      const columns = args['combination_of_columns'];
      if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) {
        problem("needs 'combination_of_columns': a non-empty list of column names");
      }
      return uniqueCombinationSql(relation, columns as string[], where);
    },
  },
  row_count: {
    args: ['min', 'max'],
    build: ({ relation, args, where }) => {
      const [min, max] = [args['min'], args['max']];
      const ok = (n: unknown) => n === undefined || (typeof n === 'number' && Number.isInteger(n) && n >= 0);
      if (!ok(min) || !ok(max) || (min === undefined && max === undefined)) problem("needs 'min' and/or 'max': whole numbers of rows");
      return rowCountSql(relation, min as number | undefined, max as number | undefined, where);
    },
  },
};

/** Names of the generic tests strata knows. */
export const GENERIC_TESTS = Object.keys(TESTS);

/**
 * Compiles one generic test declared in YAML on `subject`. Unknown tests, unknown or missing
 * arguments are pushed to `errors` at the test's line and give `undefined`.
 */
export function compileGenericTest(
  subject: TestSubject,
  spec: TestSpec,
  resolve: (text: string) => Resolved,
  errors: CompileError[],
): GenericTest | undefined {
  const what = `test ${spec.test}${spec.column === undefined ? '' : ` on column ${spec.column}`}`;
  const fail = (detail: string) => {
    errors.push(new CompileError(subject.id, spec.location, `${what} ${detail}`));
    return undefined;
  };
  const definition = TESTS[spec.test];
  if (!definition) return fail(`is not a generic test strata knows${didYouMean(spec.test, GENERIC_TESTS)} (known: ${GENERIC_TESTS.join(', ')})`);
  const { where, name, ...args } = spec.args;
  const extra = Object.keys(args).filter((key) => !definition.args.includes(key));
  if (extra.length > 0) {
    const known = definition.args.length === 0 ? 'it takes none' : `it takes ${definition.args.join(', ')}`;
    return fail(`has unknown argument${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}${didYouMean(extra[0]!, definition.args)} (${known})`);
  }
  if (name !== undefined && typeof name !== 'string') return fail("'name' must be a string");
  const reads = [subject.id];
  try {
    const built = definition.build({ relation: subject.token, column: spec.column, args, where: where as string | undefined, resolve, reads });
    const sql = typeof built === 'string' ? built : built.sql;
    const check: TestCheck | undefined =
      typeof built !== 'string'
        ? { kind: 'row', subjectId: subject.id, subject: subject.token, failsWhen: failsWhen(built.fails, where as string | undefined), ...(built.ownQuery ? { ownQuery: true } : {}) }
      : spec.test === 'unique' && where === undefined ? { kind: 'unique', subjectId: subject.id, subject: subject.token, columns: [spec.column!] }
      : spec.test === 'unique_combination_of_columns' && where === undefined
        ? { kind: 'unique', subjectId: subject.id, subject: subject.token, columns: args['combination_of_columns'] as string[] }
      : undefined;
    // `unique` and `unique_combination_of_columns` group by their columns: each group's verdict
    // depends on that group's rows alone, so an incremental build may check the groups it touched.
    // A `relationships` test whose column and field have one name is local to it the same way: a
    // child value fails or passes by the child and parent rows holding that value alone (a view
    // over incremental staging, as order_lines, has no rows "added" to scope it by otherwise)
    const grouped = spec.test === 'unique' ? [spec.column!]
      : spec.test === 'unique_combination_of_columns' ? (args['combination_of_columns'] as string[])
      : spec.test === 'relationships' && spec.column !== undefined && args['field'] === spec.column ? [spec.column]
      : [];
    const scopeBy = grouped.length > 0 && grouped.every((c) => PLAIN_COLUMN.test(c)) ? [...new Set(grouped)] : undefined;
    return {
      test: spec.test,
      ...(spec.column === undefined ? {} : { column: spec.column }),
      sql,
      ...(check === undefined ? {} : { check }),
      ...(scopeBy === undefined ? {} : { scopeBy }),
      reads,
      ...(name === undefined ? {} : { customName: name }),
    };
  } catch (error) {
    if (error instanceof ArgumentProblem) return fail(error.message);
    throw error;
  }
}

function needColumn(column: string | undefined): string {
  if (column === undefined) problem('must be declared on a column (or given column_name)');
  return column;
}

/** Internal: unwinds a builder to report a bad argument; caught in compileGenericTest. */
class ArgumentProblem extends Error {}

function problem(detail: string): never {
  throw new ArgumentProblem(detail);
}
