import type { Kysely, sql as kyselySql } from 'kysely';
import type { Relation } from './types.ts';

/**
 * What a TypeScript model receives when it runs. It reads only the inputs it declared
 * (`ref` throws for anything else) and must create its output table at `this`.
 */
export interface TsModelContext {
  /**
   * kysely over the build's connection. The schema is dynamic (versioned build schemas),
   * so the database type is `any` on purpose; use `sql` with `sql.table()`/`sql.id()`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  /**
   * kysely's `sql` template tag, handed over so a model needs no import of its own (a project
   * outside this repository has no node_modules to import kysely from).
   */
  readonly sql: typeof kyselySql;
  /** `"schema"."name"`, quoted, for a relation */
  readonly qualified: (relation: Relation) => string;
  /** the relation this model must create (a table in this build's schema) */
  readonly this: Relation;
  /** the build's physical relation of a declared input (model or seed name) */
  readonly ref: (name: string) => Relation;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly buildId: number;
  /**
   * True when the build was asked for `--full-refresh`: a model that keeps its published fit
   * between builds refits (scripts/core/refit-policy.ts).
   */
  readonly fullRefresh: boolean;
  /** the currently published relation of any model, if one is published (e.g. to keep ids stable) */
  readonly published: (name: string) => Relation | undefined;
  readonly log: (message: string) => void;
}

export interface TsModelResult {
  /** rows written; when absent the executor counts them */
  readonly rows?: number;
}

export interface TsModel {
  /** models and seeds this model reads, by name */
  readonly dependsOn: readonly string[];
  /** the same keys as `{{ config() }}`; materialized is always 'table' */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly description?: string;
  run(ctx: TsModelContext): Promise<TsModelResult | void>;
}

/**
 * Declares a TypeScript model; the default export of a `models/**.ts` file.
 *
 * @example
 * export default defineModel({
 *   dependsOn: ['customer_features'],
 *   async run({ db, ref, this: out }) {
 *     await sql`create table ${sql.table(`${out.schema}.${out.name}`)} as select … from ${sql.table(`${ref('customer_features').schema}.${ref('customer_features').name}`)}`.execute(db);
 *   },
 * });
 */
export function defineModel(model: TsModel): TsModel {
  return model;
}

// Model authors quote with these (a project outside this repository imports nothing else).
export { qualified, quoteIdent, quoteLiteral } from './sql.ts';
