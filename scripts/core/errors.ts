import type { SourceLocation } from './types.ts';

/** What every error of the family may carry besides its message. */
export interface ErrorOptions {
  /** the error this one explains (a driver's, the file system's, a model's); kept for STRATA_DEBUG */
  readonly cause?: unknown;
}

/**
 * The one error family. Every message names what a user needs to act on: the node (model, seed,
 * test) and `file:line` where there is one. `exitCode` follows the CLI contract: 2 for usage
 * and compile errors, 1 for failures while building. An error that explains another keeps it as
 * `cause` (the message already says what the user needs; the cause has the stack).
 *
 * @example throw new InputError(file, undefined, `cannot read: ${error.message}`, { cause: error })
 */
export class StrataError extends Error {
  readonly exitCode: number = 1;
  override readonly name: string = 'StrataError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Bad command-line arguments or project settings. */
export class UsageError extends StrataError {
  override readonly exitCode = 2;
  override readonly name = 'UsageError';
}

/** Anything wrong in the project that compile can see without a database. */
export class CompileError extends StrataError {
  override readonly exitCode = 2;
  override readonly name = 'CompileError';
  constructor(
    readonly node: string | undefined,
    readonly location: SourceLocation | undefined,
    readonly detail: string,
  ) {
    super(`${describeNode(node, location)}: ${detail}`);
  }
}

/** Several compile errors at once: compile gathers them all before reporting. */
export class CompileErrors extends StrataError {
  override readonly exitCode = 2;
  override readonly name = 'CompileErrors';
  constructor(readonly errors: readonly CompileError[]) {
    super(
      `${errors.length} compile error${errors.length === 1 ? '' : 's'}:\n` +
        errors.map((e) => `  - ${e.message}`).join('\n'),
    );
  }
}

/** Fields PostgreSQL sends with an error; kept whole, with no query text or parameters. */
export interface PgErrorFields {
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: string;
  readonly where?: string;
}

/** A SQL error while building a node, mapped back to the model file's line. */
export class DatabaseError extends StrataError {
  override readonly name = 'DatabaseError';
  constructor(
    readonly node: string | undefined,
    readonly location: SourceLocation | undefined,
    readonly pgMessage: string,
    readonly fields: PgErrorFields = {},
    options: ErrorOptions = {},
    /** strata's own suggestion, shown under PostgreSQL's hint */
    readonly advice?: string,
  ) {
    super(
      [
        `Database Error in ${describeNode(node, location)}: ${pgMessage}`,
        fields.code ? `  code: ${fields.code}` : '',
        fields.detail ? `  detail: ${fields.detail}` : '',
        fields.hint ? `  hint: ${fields.hint}` : '',
        advice ? `  what to do: ${advice}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      options,
    );
  }
}

/** The server could not be reached. Names host, port and database; never the password. */
export class ConnectionError extends StrataError {
  override readonly name = 'ConnectionError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly database: string,
    readonly reason: string,
    options: ErrorOptions = {},
  ) {
    super(`could not connect to PostgreSQL at ${host}:${port}, database "${database}": ${reason}`, options);
  }
}

/** Input data that cannot be read: names file, line, column and value. */
export class InputError extends StrataError {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
    options: ErrorOptions = {},
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`, options);
  }
}

/** A TypeScript model threw: names the model and the line of its file the exception came from. */
export class ModelError extends StrataError {
  override readonly name = 'ModelError';
  constructor(
    readonly node: string,
    readonly location: SourceLocation,
    detail: string,
    options: ErrorOptions = {},
  ) {
    super(`Error in ${describeNode(node, location)}: ${detail}`, options);
  }
}

/** Another build holds the per-database build lock. */
export class BuildLockedError extends StrataError {
  override readonly name = 'BuildLockedError';
}

/** `model orders (models/orders.sql:12)` */
export function describeNode(node: string | undefined, location: SourceLocation | undefined): string {
  const where = location ? ` (${location.file}:${location.line})` : '';
  if (!node) return location ? `${location.file}:${location.line}` : 'project';
  const [kind, ...rest] = node.split('.');
  const label = rest.length > 0 ? `${kind} ${rest.join('.')}` : node;
  return `${label}${where}`;
}
