/**
 * The plain data that flows between the runner's stages:
 *
 *   load project → Project → compile → Manifest → plan → Plan → execute/audit → NodeResult[] → publish → report
 *
 * Every stage is a function from one of these to the next. load reads files; compile and plan are
 * pure (no connection, no clock). The database is touched by execute (models, seeds, and the
 * build's own records in execute/build-record.ts), audit (data tests), publish (views, grants,
 * retention) and report/records.ts (each node's and test's result); db/ opens it and migrates it.
 * cli/build.ts joins these stages for one build.
 */
/** A place in a project file, relative to the project directory, 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export type Materialization =
  | 'view'
  | 'table'
  | 'materialized_view'
  | 'incremental'
  | 'snapshot'
  | 'ephemeral'
  | 'seed';

export type Severity = 'error' | 'warn';

export type IncrementalStrategy = 'append' | 'delete+insert' | 'merge';

export interface IndexConfig {
  readonly columns: readonly string[];
  readonly unique?: boolean;
  readonly type?: string; // btree, hash, gin, brin, …
  /** a partial index: only rows where this SQL condition holds (e.g. first occurrences of a key) */
  readonly where?: string;
}

/**
 * A node's validated configuration (defaults from dbt_project.yml folders and schema.yml,
 * then `{{ config() }}` in the file; the later wins). Unknown keys are compile errors.
 */
export interface NodeConfig {
  readonly materialized: Materialization;
  /** The layer (logical schema) the node is published in: bronze, silver, gold, … */
  readonly schema: string;
  readonly alias?: string;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly uniqueKey?: readonly string[];
  readonly incrementalStrategy?: IncrementalStrategy;
  /**
   * Incremental delete+insert or merge: a boolean column the model's incremental rows carry. A row
   * where it is true is a tombstone: it removes the row with its unique key and is not stored (a
   * key whose source rows went away, e.g. a retracted batch's only invoice). The column itself is
   * never stored; the model emits it only under is_incremental().
   */
  readonly tombstoneColumn?: string;
  readonly indexes: readonly IndexConfig[];
  /** snapshot */
  readonly strategy?: 'timestamp' | 'check';
  readonly updatedAt?: string;
  readonly checkCols?: readonly string[] | 'all';
  readonly hardDeletes?: 'ignore' | 'invalidate';
  /** Holds personal data: never granted to the BI role. */
  readonly pii: boolean;
  /**
   * On a Citus server: the column the node's stored rows are hash-distributed by (docs/scale-out.md).
   * Absent: local, on the coordinator (and always on plain PostgreSQL).
   */
  readonly distributedBy?: string;
  /**
   * On a Citus server: the node's stored rows are a reference table, a copy on every node
   * (`distributed_by: reference`, docs/scale-out.md). Table-shaped nodes only (tables, seeds,
   * TypeScript models); never together with distributedBy.
   */
  readonly reference?: true;
  /**
   * SQL models: statements run in the node's transaction before its own (dbt's `sql_header`),
   * e.g. `set local …` planner settings for this model's statement alone.
   */
  readonly sqlHeader?: string;
}

export interface TestSpec {
  /** generic test name: not_null, unique, accepted_values, relationships, expression_is_true,
   * unique_combination_of_columns, row_count; or 'singular' */
  readonly test: string;
  readonly column?: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly severity: Severity;
  readonly location: SourceLocation;
}

export interface ColumnSpec {
  readonly name: string;
  readonly description?: string;
  readonly dataType?: string;
  readonly tests: readonly TestSpec[];
  /**
   * The customer dimension this column is, under this name, when the property file says so
   * (`meta: {dimension: true}` for the column's own name, or `meta: {dimension: <name>}`).
   * gold.dimensions(), the dashboard's filters and the MCP description list only these.
   */
  readonly dimension?: string;
}

export interface FreshnessSpec {
  readonly warnAfterSeconds?: number;
  readonly errorAfterSeconds?: number;
}

export interface SourceTable {
  readonly source: string;
  readonly name: string;
  /** Physical schema and table the source lives in (never versioned). */
  readonly schema: string;
  readonly identifier: string;
  readonly description?: string;
  readonly loadedAtField?: string;
  readonly freshness?: FreshnessSpec;
  /** how a build finds the rows written since an earlier build (`changes:`), if declared */
  readonly changes?: SourceChanges;
  readonly columns: readonly ColumnSpec[];
  readonly tests: readonly TestSpec[];
  readonly location: SourceLocation;
}

/**
 * How the rows a source gained since a build are found (docs/storage.md, "Tests local to a key"):
 * - `appended`: rows are only added, never changed or removed, and a load's rows have a greater
 *   `column` than every row committed before it (landing tables and their batch_id): the rows
 *   after the largest value a build saw when it started, through the column's index;
 * - `transactions`: rows may be added or updated, never removed, and the table is small: the row
 *   versions written by transactions a build's starting snapshot did not see (one scan).
 */
export type SourceChanges = { readonly kind: 'appended'; readonly column: string } | { readonly kind: 'transactions' };

/** Properties of a model or seed declared in YAML (schema.yml or models/**.yml). */
export interface NodeProperties {
  readonly name: string;
  readonly description?: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly columns: readonly ColumnSpec[];
  readonly tests: readonly TestSpec[];
  readonly location: SourceLocation;
}

export interface ModelFile {
  readonly name: string;
  /** relative to project dir, forward slashes */
  readonly path: string;
  readonly language: 'sql' | 'ts';
  /** raw file text (SQL template or TS source) */
  readonly text: string;
  /** folder-level config from dbt_project.yml / defaults, before file and YAML config */
  readonly folderConfig: Readonly<Record<string, unknown>>;
  /** TS models only: what the module's default export declares (read by load via import()) */
  readonly ts?: {
    readonly dependsOn: readonly string[];
    readonly config: Readonly<Record<string, unknown>>;
    readonly description?: string;
    /** absolute path, for execute to import */
    readonly module: string;
  };
}

export interface SeedFile {
  readonly name: string;
  readonly path: string;
  /** column → SQL type from YAML `column_types`; other columns are inferred at load */
  readonly columnTypes: Readonly<Record<string, string>>;
  readonly folderConfig: Readonly<Record<string, unknown>>;
}

export interface MacroFile {
  readonly path: string;
  readonly text: string;
}

export interface SingularTestFile {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

/** What a var may hold, for `var_types` (checked before a build starts). */
export const VAR_TYPES = ['integer', 'number', 'string', 'date', 'boolean', 'list', 'mapping'] as const;
export type VarType = (typeof VAR_TYPES)[number];

export interface ProjectSettings {
  readonly name: string;
  /** absolute */
  readonly dir: string;
  readonly vars: Readonly<Record<string, unknown>>;
  /**
   * declared types of vars (`var_types:` in the project block); a var without one must match the
   * kind of its default. A declared var may also be null.
   */
  readonly varTypes?: Readonly<Record<string, VarType>>;
  /** BI role name (default strata_bi) */
  readonly biRole: string;
  /** layers granted to the BI role (default ['gold']) */
  readonly biLayers: readonly string[];
  /** how many published builds to keep (default 3) */
  readonly keepBuilds: number;
  /** runner metadata schema (default strata_meta) */
  readonly metadataSchema: string;
}

export interface Project {
  readonly settings: ProjectSettings;
  readonly sources: readonly SourceTable[];
  readonly models: readonly ModelFile[];
  readonly seeds: readonly SeedFile[];
  readonly macros: readonly MacroFile[];
  readonly properties: ReadonlyMap<string, NodeProperties>;
  readonly singularTests: readonly SingularTestFile[];
}

/** A reference to another relation inside compiled SQL, replaced by plan with a physical name. */
export interface RelationToken {
  /** the exact text in `sql` to replace */
  readonly token: string;
  /** node id (model.x / seed.x) or source id (source.s.t) or 'this' */
  readonly target: string;
}

/** What every compiled node has, whatever its language. */
interface CompiledNodeBase {
  /** 'model.orders', 'seed.rfm_segments' */
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly description?: string;
  readonly columns: readonly ColumnSpec[];
  readonly config: NodeConfig;
  /** ids of models and seeds this node reads (ephemeral ones included) */
  readonly dependsOn: readonly string[];
  /** source ids (source.s.t) this node reads */
  readonly sources: readonly string[];
}

/** A SQL model, rendered. */
export interface CompiledSqlNode extends CompiledNodeBase {
  readonly resourceType: 'model';
  readonly language: 'sql';
  /**
   * The rendered select with relation tokens (see RelationToken) and ephemeral CTEs already
   * inlined. Rendered with is_incremental() false.
   */
  readonly sql: string;
  /** The same rendered with is_incremental() true; absent when the template never asks. */
  readonly sqlIncremental?: string;
  /** rendered line (1-based index into sql.split('\n')) → line in the model file */
  readonly lineMap: readonly number[];
  readonly lineMapIncremental?: readonly number[];
  readonly module?: never;
}

/** A TypeScript model: a module whose default export runs at execute time. */
export interface CompiledTsNode extends CompiledNodeBase {
  readonly resourceType: 'model';
  readonly language: 'ts';
  /** absolute path of the module to import at execute time */
  readonly module: string;
  readonly sql?: never;
  readonly sqlIncremental?: never;
  readonly lineMap?: never;
  readonly lineMapIncremental?: never;
}

/** A seed: a CSV file loaded as a table. */
export interface CompiledSeedNode extends CompiledNodeBase {
  readonly resourceType: 'seed';
  readonly language: 'csv';
  readonly sql?: never;
  readonly sqlIncremental?: never;
  readonly lineMap?: never;
  readonly lineMapIncremental?: never;
  readonly module?: never;
}

/**
 * A node of the manifest, tagged by `language`. The fields another language has are typed
 * `never` here, so `node.sql` reads as `string | undefined` on any node without a narrowing.
 */
export type CompiledNode = CompiledSqlNode | CompiledTsNode | CompiledSeedNode;

/**
 * How the audit may run a generic test without its own scan. Its SQL stays the reference (it
 * gives the failure count and the failing rows); a check only proves the test passes cheaply.
 * - `row`: the test fails exactly on the rows of `subject` where `failsWhen` holds (not_null,
 *   accepted_values, expression_is_true, relationships), so it may check only the rows a build
 *   added or changed, and every such test of one subject is counted in one pass over it:
 *   `count(*) filter (where failsWhen)` each. A test with `ownQuery` (relationships) runs its own
 *   query instead: inside the pass, its `not in (select …)` is a SubPlan that Citus runs once per
 *   row on the workers, and that PostgreSQL stops hashing when the parent's keys outgrow
 *   `hash_mem`; its own query is an anti-join, hashed on both.
 * - `unique`: a unique index on exactly `columns` of `subject` proves the test passes without a
 *   scan (`unique`, `unique_combination_of_columns`).
 * `subject` and `failsWhen` hold relation tokens until plan resolves them.
 */
export type TestCheck =
  | { readonly kind: 'row'; readonly subjectId: string; readonly subject: string; readonly failsWhen: string; readonly ownQuery?: true }
  | { readonly kind: 'unique'; readonly subjectId: string; readonly subject: string; readonly columns: readonly string[] };

export interface CompiledTest {
  /** 'test.not_null.customers.customer_id' style, unique */
  readonly id: string;
  readonly name: string;
  /** node the test is attached to (for ordering: runs right after it); absent for source tests */
  readonly attachedTo?: string;
  readonly column?: string;
  readonly test: string;
  readonly severity: Severity;
  /** a query returning the failing rows, with relation tokens */
  readonly sql: string;
  /** a cheaper way to prove it passes, for generic tests that have one */
  readonly check?: TestCheck;
  /**
   * Columns the test is local to (`scope_by`): its failing rows for one value of them depend only
   * on the rows holding that value in the relations it reads. An incremental build may then check
   * only the values its changes touched (plan/scoped-keys.ts).
   */
  readonly scopeBy?: readonly string[];
  /** a hash of what the test checks (SQL, severity, check, scope): an edited test checks every row again */
  readonly definition: string;
  readonly dependsOn: readonly string[];
  readonly sources: readonly string[];
  readonly location: SourceLocation;
}

export interface Manifest {
  readonly projectName: string;
  /** topological order */
  readonly nodes: readonly CompiledNode[];
  readonly tests: readonly CompiledTest[];
  readonly sources: readonly SourceTable[];
  /** every relation token used anywhere, keyed by token text */
  readonly tokens: Readonly<Record<string, RelationToken>>;
  readonly vars: Readonly<Record<string, unknown>>;
}

/** A physical relation: a schema and a name. */
export interface Relation {
  readonly schema: string;
  readonly name: string;
}

/** What the database says is published now (read by execute, passed to plan as plain data). */
export interface PublishedState {
  readonly buildId: number | null;
  /** node id → the relation that shows its published rows (its public view) */
  readonly relations: Readonly<Record<string, Relation>>;
  /** node id → where a published table-like node's rows are stored (docs/storage.md) */
  readonly stored: Readonly<Record<string, StoredState>>;
  /**
   * build id → the tests that passed in that build (test id → the test's definition then), for the
   * published build and the builds whose rows stored nodes show (`dataBuild`): a test may check
   * only new rows when the rows before them passed the same test.
   */
  readonly passedTests?: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
  /**
   * test id → the versions of what it read (execute/input-versions.ts), for the tests that passed
   * in the published build: one whose inputs are the same now need not run again
   */
  readonly passedInputs?: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
  /** view model id → the SQL of its published public view: a view whose SQL changed changed every row */
  readonly viewSql?: Readonly<Record<string, string>>;
  /**
   * source id → where the published build started reading it (a source with `changes:`): the
   * largest `appended` column value, or the snapshot, as text (audit/source-marks.ts)
   */
  readonly sourceMarks?: Readonly<Record<string, string>>;
}

/**
 * A stored node's published rows: its partition in `strata_store`, the partition key (`gen`, the
 * build that created the partition) and the build whose row versions the public view shows.
 */
export interface StoredState {
  readonly partition: Relation;
  readonly gen: number;
  readonly dataBuild: number;
  /**
   * true when the partition holds row versions (`_strata_from`, `_strata_to`): an incremental
   * model or snapshot can add to it. A model that was a table before has none: built in full once.
   */
  readonly versioned: boolean;
}

export interface PlannedNode {
  readonly node: CompiledNode;
  /** where this build writes the node */
  readonly target: Relation;
  /** the public view users query (layer.name) */
  readonly publicRelation: Relation;
  /** the build writing this node */
  readonly buildId: number;
  /** the node's published rows, if stored; incremental/snapshot builds add row versions to it */
  readonly previous?: StoredState;
  /** incremental/snapshot: true when an earlier build exists and no --full-refresh */
  readonly isIncremental: boolean;
  /** set when the build was asked for --full-refresh (TypeScript models refit: TsModelContext.fullRefresh) */
  readonly fullRefresh?: true;
  /** final SQL (tokens resolved); for SQL models */
  readonly sql?: string;
  /** view models: the SQL over the public views, the body of the node's public view */
  readonly publicSql?: string;
  readonly lineMap?: readonly number[];
  /** physical names of the inputs, for TS models (node name → relation) */
  readonly inputs: Readonly<Record<string, Relation>>;
  /**
   * Incremental and snapshot builds: a view in the build's schema of the rows this build added
   * or changed (the current row versions it wrote). Row-local tests that may skip the rows
   * earlier builds tested read it instead of the whole relation (plan/scoped-tests.ts).
   */
  readonly added?: Relation;
  /**
   * Incremental and snapshot builds: a view of every row version this build wrote or superseded
   * (old and new versions of what it changed), from which key-scoped tests take the keys it touched.
   */
  readonly changed?: Relation;
  /**
   * An incremental or snapshot build whose inputs are the very versions the published build's run
   * of it read (execute/keep-unchanged.ts): it would change nothing, so it only clears what
   * unpublished builds left (materializations/incremental.ts, snapshot.ts). Set at run time.
   */
  readonly inputsUnchanged?: true;
}

export interface PlannedTest {
  readonly test: CompiledTest;
  readonly sql: string;
  /** the test's check with relations resolved */
  readonly check?: TestCheck;
  /** set when the test checks only the rows this build added to its subject (PlannedNode.added) */
  readonly scopedToAdded?: true;
  /** set when the test checks only the values of its `scopeBy` columns this build touched */
  readonly scopedToKeys?: readonly string[];
  /** set when a row-local test of a view or source checks only its subject's changed rows (plan/scoped-keys.ts) */
  readonly scopedToChanges?: true;
}

export interface Plan {
  readonly buildId: number;
  /** e.g. b000042 */
  readonly buildTag: string;
  /** selected nodes, topological order */
  readonly nodes: readonly PlannedNode[];
  /** tests whose every input is selected or published */
  readonly tests: readonly PlannedTest[];
  /** layer → versioned schema for this build */
  readonly schemas: Readonly<Record<string, string>>;
  /** node id → relation, after this build publishes (selected: new; others: as published) */
  readonly publishRelations: Readonly<Record<string, Relation>>;
  readonly fullRefresh: boolean;
}

export type NodeStatus = 'success' | 'error' | 'skipped';
export type TestStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';

export interface NodeResult {
  readonly id: string;
  readonly status: NodeStatus;
  readonly rows: number | null;
  readonly durationMs: number;
  readonly error?: string;
  /** for skipped: the failed ancestor */
  readonly skippedBecause?: string;
  /** kept, not written: nothing it reads changed since this build wrote its rows (execute/keep-unchanged.ts) */
  readonly keptFrom?: number;
}

export interface TestResult {
  readonly id: string;
  readonly status: TestStatus;
  readonly severity: Severity;
  readonly failures: number;
  readonly durationMs: number;
  readonly message?: string;
  readonly location: SourceLocation;
}
