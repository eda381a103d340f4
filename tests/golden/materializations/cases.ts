import type { CompiledNode, NodeConfig, PlannedNode, StoredState } from '../../../scripts/core/types.ts';
import { parentOf, partitionOf } from '../../../scripts/execute/materializations/store-layout.ts';

/**
 * One planned node per materialisation and mode, all over the same source table
 * `src.customers (customer_id, amount, updated_at)`. First builds write `gold__b000001`; later
 * builds (build 2) add row versions to the partition build 1 stored (docs/storage.md).
 */
export interface GoldenCase {
  readonly name: string;
  readonly planned: PlannedNode;
  /** what the executor would read from the catalog for a `with-columns` step */
  readonly columns: readonly string[];
}

export const SOURCE_COLUMNS = ['customer_id', 'amount', 'updated_at'] as const;
const FULL = 'select customer_id, amount, updated_at\nfrom "src"."customers"';
const B1 = 'gold__b000001';
const B2 = 'gold__b000002';

function planned(name: string, config: Partial<NodeConfig>, later: boolean, sql = FULL): PlannedNode {
  const node: CompiledNode = {
    id: `model.${name}`, name, resourceType: 'model', language: 'sql', path: `models/gold/${name}.sql`,
    columns: [], dependsOn: [], sources: ['source.src.customers'], sql, lineMap: sql.split('\n').map((_, i) => i + 1),
    config: { materialized: 'table', schema: 'gold', tags: [], enabled: true, indexes: [], pii: false, ...config },
  };
  return {
    node,
    target: { schema: later ? B2 : B1, name },
    publicRelation: { schema: 'gold', name },
    buildId: later ? 2 : 1,
    ...(later ? { previous: published(name, config.materialized === 'snapshot') } : {}),
    isIncremental: later && (config.materialized === 'incremental' || config.materialized === 'snapshot'),
    sql,
    ...(config.materialized === 'view' ? { publicSql: sql } : {}),
    inputs: {},
  };
}

/** The partition build 1 stored for `name`, as store.ts names it from the catalog's column types. */
function published(name: string, snapshot: boolean): StoredState {
  const columns = [
    { name: 'customer_id', type: 'integer' }, { name: 'amount', type: 'numeric' }, { name: 'updated_at', type: 'timestamp without time zone' },
    ...(snapshot
      ? [{ name: 'dbt_scd_id', type: 'text' }, { name: 'dbt_updated_at', type: 'timestamp without time zone' },
        { name: 'dbt_valid_from', type: 'timestamp without time zone' }, { name: 'dbt_valid_to', type: 'timestamp without time zone' }]
      : []),
  ];
  return { partition: partitionOf(parentOf({ schema: 'gold', name }, 'versioned', columns), 1), gen: 1, dataBuild: 1, versioned: true };
}

const newer = (name: string): string =>
  `${FULL}\nwhere updated_at > (select max(updated_at) from "${B2}"."${name}")`;
const incremental = (strategy: NodeConfig['incrementalStrategy']): Partial<NodeConfig> => ({
  materialized: 'incremental', uniqueKey: ['customer_id'], incrementalStrategy: strategy,
  indexes: [{ columns: ['customer_id'], unique: true }],
});
const timestamp: Partial<NodeConfig> = {
  materialized: 'snapshot', uniqueKey: ['customer_id'], strategy: 'timestamp', updatedAt: 'updated_at',
};
const check: Partial<NodeConfig> = {
  materialized: 'snapshot', uniqueKey: ['customer_id'], strategy: 'check', checkCols: ['amount'], hardDeletes: 'invalidate',
};

const cols = [...SOURCE_COLUMNS];
export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'view', planned: planned('customers', { materialized: 'view' }, false), columns: cols },
  {
    name: 'table_with_indexes',
    planned: planned('customers', {
      materialized: 'table',
      indexes: [{ columns: ['customer_id'], unique: true }, { columns: ['updated_at'], type: 'brin' }],
    }, false),
    columns: cols,
  },
  {
    name: 'materialized_view',
    planned: planned('customers', { materialized: 'materialized_view', indexes: [{ columns: ['customer_id'] }] }, false),
    columns: cols,
  },
  { name: 'incremental_first', planned: planned('customers', incremental('merge'), false), columns: cols },
  { name: 'incremental_append', planned: planned('customers', { materialized: 'incremental' }, true, newer('customers')), columns: cols },
  { name: 'incremental_delete_insert', planned: planned('customers', incremental('delete+insert'), true, newer('customers')), columns: cols },
  { name: 'incremental_merge', planned: planned('customers', incremental('merge'), true, newer('customers')), columns: cols },
  {
    name: 'incremental_delete_insert_tombstones',
    planned: planned('customers', { ...incremental('delete+insert'), tombstoneColumn: 'is_tombstone' }, true, newer('customers')),
    columns: [...cols, 'is_tombstone'],
  },
  {
    name: 'incremental_merge_tombstones',
    planned: planned('customers', { ...incremental('merge'), tombstoneColumn: 'is_tombstone' }, true, newer('customers')),
    columns: [...cols, 'is_tombstone'],
  },
  { name: 'snapshot_timestamp_first', planned: planned('customer_history', timestamp, false), columns: cols },
  { name: 'snapshot_timestamp', planned: planned('customer_history', timestamp, true), columns: cols },
  { name: 'snapshot_check_invalidate', planned: planned('customer_history', check, true), columns: cols },
];

export function goldenCase(name: string): GoldenCase {
  const found = GOLDEN_CASES.find((c) => c.name === name);
  if (!found) throw new Error(`no golden case ${name}`);
  return found;
}
