import { createHash } from 'node:crypto';
import { qualified, quoteIdent, quoteLiteral } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import { columnList } from './sql-parts.ts';

/**
 * Where stored rows live (docs/storage.md): one partitioned table per node and column layout in
 * `strata_store`, list-partitioned on `_strata_gen` (the build that created the partition). A
 * table-like build creates a new partition; an incremental or snapshot build adds row versions to
 * the published partition: each row carries the build that wrote it (`_strata_from`) and the build
 * that superseded it (`_strata_to`, null while current).
 */
export const STORE_SCHEMA = 'strata_store';
export const GEN = '_strata_gen';
export const FROM = '_strata_from';
export const TO = '_strata_to';
export const INTERNAL_COLUMNS: readonly string[] = [GEN, FROM, TO];

/** `table`: every build a whole new partition; `versioned`: row versions inside a partition. */
export type StoreShape = 'table' | 'versioned';

/** A column as the catalog has it: name and `format_type` (e.g. `numeric(12,2)`). */
export interface StoredColumn {
  readonly name: string;
  readonly type: string;
}

/** The model's own columns of a stored relation: the internal ones left out. */
export function modelColumns(columns: readonly string[]): readonly string[] {
  return columns.filter((c) => !INTERNAL_COLUMNS.includes(c));
}

/**
 * The parent table of one node's rows for one column layout. A changed layout (columns, types,
 * order, shape or distribution) gets a new parent: partitions of one parent must have identical columns.
 */
export function parentOf(publicRelation: Relation, shape: StoreShape, columns: readonly StoredColumn[], distributedBy?: string | 'reference'): Relation {
  // a changed distribution (config distributed_by) is a new layout too: Citus attaches only
  // partitions distributed like their parent, and a reference node's parent is a reference table
  // (store-reference.ts); left out when local, so local parents keep their name
  const distribution = distributedBy === undefined ? [] : [distributedBy === 'reference' ? 'reference table' : `distributed by ${distributedBy}`];
  const signature = [shape, publicRelation.schema, publicRelation.name, ...columns.map((c) => `${c.name} ${c.type}`), ...distribution].join('\n');
  const hash = createHash('sha1').update(signature).digest('hex').slice(0, 10);
  return { schema: STORE_SCHEMA, name: `${publicRelation.schema}__${publicRelation.name}`.slice(0, 38) + `__${hash}` };
}

/** The partition one build creates under `parent` (names stay under PostgreSQL's 63 bytes). */
export function partitionOf(parent: Relation, buildId: number): Relation {
  return { schema: STORE_SCHEMA, name: `${parent.name}__b${buildId}` };
}

/**
 * The body of a stored node's public view. Which build it shows is data: the view reads the
 * node's row of `strata_meta.live`, so publishing is an UPDATE of that row. The partition is
 * chosen at run time (PostgreSQL prunes the others once the sub-select is evaluated); one
 * statement reads every view under one snapshot, so it sees one whole publication.
 */
export function publicViewSql(nodeId: string, parent: Relation, columns: readonly string[], shape: StoreShape): string {
  const live = (column: string) => `(select ${column} from strata_meta.live where node_id = ${quoteLiteral(nodeId)})`;
  const where = [`s.${GEN} = ${live('gen')}`];
  if (shape === 'versioned') {
    where.push(`s.${FROM} <= ${live('data_build')}`, `(s.${TO} is null or s.${TO} > ${live('data_build')})`);
  }
  return `select ${columnList(columns, 's')}\nfrom ${qualified(parent)} as s\nwhere ${where.join('\n  and ')}`;
}

/**
 * The build's own view of a stored node (what later nodes and tests of the same build read, and
 * `{{ this }}`): the partition's current rows. Before an incremental build writes, these are the
 * published rows; afterwards, the rows this build leaves.
 */
export function buildViewSql(target: Relation, partition: Relation, columns: readonly string[], shape: StoreShape): string {
  const current = shape === 'versioned' ? `\nwhere ${quoteIdent(TO)} is null` : '';
  return `create view ${qualified(target)} as\nselect ${columnList(columns)}\nfrom ${qualified(partition)}${current}`;
}

/**
 * The build's view of the rows it added to a versioned node: the current row versions stamped
 * with its id (found through the `_strata_from` index). Data tests that need not re-check earlier
 * builds' rows read it (plan/scoped-tests.ts).
 */
export function addedViewSql(added: Relation, partition: Relation, columns: readonly string[], buildId: number): string {
  return (
    `create view ${qualified(added)} as\nselect ${columnList(columns)}\nfrom ${qualified(partition)}\n` +
    `where ${quoteIdent(TO)} is null and ${quoteIdent(FROM)} = ${String(buildId)}`
  );
}

/**
 * The build's view of every row version it wrote or superseded in a versioned node (the old and
 * the new version of each row it changed, through the `_strata_from` and `_strata_to` indexes).
 * Data tests local to a key check only the keys found here (plan/scoped-keys.ts).
 */
export function changedViewSql(changed: Relation, partition: Relation, columns: readonly string[], buildId: number): string {
  return (
    `create view ${qualified(changed)} as\nselect ${columnList(columns)}\nfrom ${qualified(partition)}\n` +
    `where ${quoteIdent(FROM)} = ${String(buildId)} or ${quoteIdent(TO)} = ${String(buildId)}`
  );
}
