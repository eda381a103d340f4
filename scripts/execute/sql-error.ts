import { DatabaseError, type PgErrorFields } from '../core/errors.ts';
import type { SourceLocation } from '../core/types.ts';

/** What we know about the statement that failed, to point at the model file's line. */
export interface StatementContext {
  readonly node: string;
  readonly file: string;
  readonly sql: string;
  /** char offset in `sql` where the model's compiled SQL begins */
  readonly bodyOffset?: number;
  /** compiled line (1-based index) → model file line */
  readonly lineMap?: readonly number[];
  /** what strata suggests doing about it, shown under the server's own hint */
  readonly advice?: string;
}

/**
 * Turns a PostgreSQL error into a DatabaseError naming the model and the line of the model file:
 * the error's character position is counted into the compiled SQL, and the compiled line is mapped
 * back through the template. Query text and parameters are never included.
 */
export function toDatabaseError(error: unknown, context: StatementContext): DatabaseError {
  const pgError = error as { message?: string } & PgErrorFields;
  const message = pgError?.message ?? String(error);
  const fields: PgErrorFields = {
    ...(pgError.code ? { code: pgError.code } : {}),
    ...(pgError.detail ? { detail: pgError.detail } : {}),
    ...(pgError.hint ? { hint: pgError.hint } : {}),
    ...(pgError.position ? { position: pgError.position } : {}),
  };
  return new DatabaseError(context.node, locate(context, pgError.position), message, fields, { cause: error }, context.advice);
}

function locate(context: StatementContext, position: string | undefined): SourceLocation {
  const offset = position ? Number(position) - 1 : NaN;
  if (!Number.isFinite(offset) || context.bodyOffset === undefined || offset < context.bodyOffset) {
    return { file: context.file, line: 1 };
  }
  // PostgreSQL counts characters, not bytes; JS string indices are UTF-16 units: close enough for
  // SQL, which is nearly always in the basic plane.
  const compiledLine = context.sql.slice(context.bodyOffset, offset).split('\n').length;
  const line = context.lineMap?.[compiledLine - 1] ?? compiledLine;
  return { file: context.file, line };
}
