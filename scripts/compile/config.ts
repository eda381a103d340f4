import type { CompileError } from '../core/errors.ts';
import type { IncrementalStrategy, IndexConfig, Materialization, NodeConfig } from '../core/types.ts';
import { mergeLayers, type ConfigLayer } from './config-merge.ts';
import { ConfigValues } from './config-values.ts';
import { didYouMean } from '../core/suggest.ts';

/** What kind of node a config is for: decides the materializations it may have. */
export type ConfigKind = 'sql' | 'ts' | 'seed';

const KNOWN_KEYS = [
  'materialized', 'schema', 'alias', 'tags', 'enabled', 'unique_key', 'incremental_strategy', 'indexes',
  'strategy', 'updated_at', 'check_cols', 'hard_deletes', 'invalidate_hard_deletes', 'pii', 'column_types',
  'tombstone_column', 'distributed_by', 'sql_header',
];
/** dbt keys accepted for compatibility; they change nothing in strata. */
const IGNORED_KEYS = ['meta', 'docs', 'persist_docs', 'quote_columns', 'on_schema_change'];

const MATERIALIZATIONS: Readonly<Record<ConfigKind, readonly Materialization[]>> = {
  sql: ['view', 'table', 'materialized_view', 'incremental', 'snapshot', 'ephemeral'],
  ts: ['table'],
  seed: ['seed'],
};
/** What `distributed_by: reference` may store: a whole set of rows per build (docs/scale-out.md). */
const REFERENCE_MATERIALIZATIONS: readonly Materialization[] = ['table', 'seed', 'materialized_view'];
const STRATEGIES: readonly IncrementalStrategy[] = ['append', 'delete+insert', 'merge'];

/**
 * Merges a node's config layers (folder, YAML `config:`, `{{ config() }}`; later wins, tags
 * accumulate) and validates them into a NodeConfig. Every problem is pushed to `errors` with
 * the place of the layer that set the key; the returned config is still usable (invalid values
 * fall back to defaults) so that compile can go on and report the project's other problems.
 */
export function resolveConfig(node: string, kind: ConfigKind, layers: readonly ConfigLayer[], errors: CompileError[]): NodeConfig {
  const merged = mergeLayers(layers);
  const fallback = layers[0]?.location ?? { file: '', line: 1 };
  const v = new ConfigValues(node, merged, errors);
  for (const [key, entry] of merged) {
    if (!KNOWN_KEYS.includes(key) && !IGNORED_KEYS.includes(key)) {
      v.fail(entry.location, `unknown config key '${key}'${didYouMean(key, [...KNOWN_KEYS, ...IGNORED_KEYS])}`);
    }
  }
  const allowed = MATERIALIZATIONS[kind];
  const materialized = v.oneOf('materialized', allowed, kind === 'sql' ? 'view' : allowed[0]!);
  const schema = v.string('schema');
  if (schema === undefined) v.fail(fallback, 'has no schema (layer); set config schema');
  if (kind !== 'seed' && merged.has('column_types')) {
    v.fail(merged.get('column_types')!.location, 'config column_types applies to seeds only');
  }
  if (merged.has('column_types')) v.stringMap('column_types');
  const uniqueKey = v.stringList('unique_key');
  const strategy = v.optionalOneOf('incremental_strategy', STRATEGIES);
  const snapshotStrategy = v.optionalOneOf('strategy', ['timestamp', 'check'] as const);
  const updatedAt = v.string('updated_at');
  const checkCols = merged.get('check_cols')?.value === 'all' ? ('all' as const) : v.stringList('check_cols');
  let hardDeletes = v.optionalOneOf('hard_deletes', ['ignore', 'invalidate'] as const);
  if (hardDeletes === undefined && v.boolean('invalidate_hard_deletes', false)) hardDeletes = 'invalidate';
  const alias = v.string('alias');
  const tombstoneColumn = v.string('tombstone_column');
  const indexes = v.indexes();

  const where = (key: string) => merged.get(key)?.location ?? merged.get('materialized')?.location ?? fallback;
  // dbt's sql_header: SQL run before the model's statements, here in the node's transaction
  const sqlHeader = v.string('sql_header');
  if (sqlHeader !== undefined && kind !== 'sql') v.fail(where('sql_header'), 'config sql_header applies to SQL models only');
  if (materialized === 'snapshot') {
    if (!uniqueKey?.length) v.fail(where('materialized'), 'a snapshot needs unique_key');
    if (snapshotStrategy === undefined) v.fail(where('materialized'), "a snapshot needs strategy: 'timestamp' or 'check'");
    if (snapshotStrategy === 'timestamp' && updatedAt === undefined) v.fail(where('strategy'), 'snapshot strategy timestamp needs updated_at');
    if (snapshotStrategy === 'check' && checkCols === undefined) v.fail(where('strategy'), "snapshot strategy check needs check_cols (a list or 'all')");
  }
  if (tombstoneColumn !== undefined && (materialized !== 'incremental' || !uniqueKey?.length || strategy === 'append')) {
    v.fail(where('tombstone_column'), 'tombstone_column needs an incremental model with a unique_key (delete+insert or merge)');
  }
  const distributedBy = distribution(v, indexes);
  const reference = v.string('distributed_by') === 'reference' && REFERENCE_MATERIALIZATIONS.includes(materialized);
  if (v.string('distributed_by') === 'reference' && !reference) {
    // a reference table holds every build's rows, chosen by the build id (docs/scale-out.md): a
    // whole set of rows per build. Row versions (incremental, snapshot) would be updated in place
    // on every node; a view or an ephemeral model stores nothing.
    v.fail(where('distributed_by'), `distributed_by: reference applies to stored tables (materialized table, a seed, a TypeScript model), not to materialized '${materialized}'; use local, or a column`);
  }
  const versionedByKey = materialized === 'snapshot' || (materialized === 'incremental' && strategy !== 'append' && (uniqueKey?.length ?? 0) > 0);
  if (distributedBy !== undefined && versionedByKey && !uniqueKey?.includes(distributedBy)) {
    // staged rows meet the published ones on the unique key: Citus joins distributed tables only
    // on their distribution column ("complex joins are only supported when all distributed tables
    // are co-located and joined on their distribution columns")
    v.fail(where('distributed_by'), `distributed_by ${distributedBy} must be one of the unique_key columns (${(uniqueKey ?? []).join(', ')}): an incremental build joins its new rows to the published ones on the key, and Citus joins distributed tables on their distribution column only`);
  }
  if (materialized === 'incremental' && (strategy === 'delete+insert' || strategy === 'merge') && !uniqueKey?.length) {
    v.fail(where('incremental_strategy'), `incremental_strategy ${strategy} needs unique_key`);
  }
  return {
    materialized,
    schema: schema ?? '',
    ...(alias === undefined ? {} : { alias }),
    tags: v.stringList('tags') ?? [],
    enabled: v.boolean('enabled', true),
    ...(uniqueKey === undefined ? {} : { uniqueKey }),
    ...(strategy === undefined ? {} : { incrementalStrategy: strategy }),
    indexes,
    ...(snapshotStrategy === undefined ? {} : { strategy: snapshotStrategy }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
    ...(checkCols === undefined ? {} : { checkCols }),
    ...(hardDeletes === undefined ? {} : { hardDeletes }),
    ...(tombstoneColumn === undefined ? {} : { tombstoneColumn }),
    pii: v.boolean('pii', false),
    ...(distributedBy === undefined ? {} : { distributedBy }),
    ...(reference ? { reference: true as const } : {}),
    ...(sqlHeader === undefined || kind !== 'sql' ? {} : { sqlHeader }),
  };
}

/**
 * `distributed_by: <column> | reference | local` (docs/scale-out.md): on a Citus server the
 * node's stored rows are hash-distributed by that column, co-located with every other table
 * distributed by a column of the same type; `reference` makes them a reference table (a copy on
 * every node; checked by resolveConfig, not returned here); `local` (the default) keeps them on
 * the coordinator. Ignored on a server without Citus. Refused here, before anything runs, is what
 * Citus cannot do: a unique index without the distribution column (uniqueness is checked per shard).
 */
function distribution(v: ConfigValues, indexes: readonly IndexConfig[]): string | undefined {
  const value = v.string('distributed_by');
  const at = v.merged.get('distributed_by')?.location;
  if (value === undefined || at === undefined || value === 'local') return undefined;
  if (value === 'reference') return undefined;
  if (!/^[a-z_][a-z0-9_]*$/.test(value)) {
    v.fail(at, `distributed_by must be a column name, reference, or local, got '${value}'`);
    return undefined;
  }
  for (const ix of indexes) {
    if (ix.unique && !ix.columns.includes(value)) {
      v.fail(at, `a unique index on (${ix.columns.join(', ')}) without the distribution column ${value}: Citus checks uniqueness per shard and refuses it ('creating unique indexes on non-partition columns is currently unsupported'); add ${value} to the index, make it not unique (and keep a unique data test), or distribute by one of its columns`);
    }
  }
  return value;
}
