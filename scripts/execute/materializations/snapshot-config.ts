import { CompileError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { requireKey } from './sql-parts.ts';

/** A snapshot's validated settings. */
export interface SnapshotConfig {
  readonly keys: readonly string[];
  readonly strategy: 'timestamp' | 'check';
  /** timestamp strategy: the source column saying when a row last changed */
  readonly updatedAt?: string;
  readonly checkCols: readonly string[] | 'all';
  readonly invalidate: boolean;
}

/**
 * The snapshot time of the check strategy and of invalidation, as dbt-postgres has it
 * (`snapshot_get_time`): the transaction's start, without time zone.
 */
export const SNAPSHOT_TIME = 'now()::timestamp';

export function snapshotConfig(p: PlannedNode): SnapshotConfig {
  const c = p.node.config;
  const keys = requireKey(p, 'a snapshot');
  if (c.strategy === 'timestamp') {
    if (!c.updatedAt) throw new CompileError(p.node.id, undefined, 'snapshot strategy timestamp needs updated_at');
    return { keys, strategy: 'timestamp', updatedAt: c.updatedAt, checkCols: [], invalidate: c.hardDeletes === 'invalidate' };
  }
  if (c.strategy === 'check') {
    if (!c.checkCols || (c.checkCols !== 'all' && c.checkCols.length === 0)) {
      throw new CompileError(p.node.id, undefined, 'snapshot strategy check needs check_cols (a list or "all")');
    }
    return { keys, strategy: 'check', checkCols: c.checkCols, invalidate: c.hardDeletes === 'invalidate' };
  }
  throw new CompileError(p.node.id, undefined, 'snapshot needs strategy: timestamp or check');
}

/** When a staged row's version begins: its updated_at, or the snapshot time for `check`. */
export function versionTime(cfg: SnapshotConfig, alias: string): string {
  return cfg.strategy === 'timestamp' ? `${alias}.${quoteIdent(cfg.updatedAt!)}` : SNAPSHOT_TIME;
}

/** dbt's `dbt_scd_id`: md5 of the key and the version time, `|`-separated. */
export function scdId(cfg: SnapshotConfig, alias: string): string {
  const parts = [...cfg.keys.map((k) => `${alias}.${quoteIdent(k)}`), versionTime(cfg, alias)];
  return `md5(${parts.map((x) => `coalesce(cast(${x} as text), '')`).join(` || '|' || `)})`;
}
