import { qualified, quoteIdent } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { SNAPSHOT_TIME, scdId, versionTime, type SnapshotConfig } from './snapshot-config.ts';
import { columnList, keyMatch, stmt, tempRelation } from './sql-parts.ts';
import type { SqlStep } from './step.ts';

/**
 * A later snapshot build on the build's copy `t` of the history, against the staged source `s`
 * (dbt semantics): close the current version of every key whose row changed, add a new version
 * for every staged key that now has no current version (changed or new), and with
 * `hard_deletes: invalidate` close current versions whose key left the source.
 */
export function snapshotChanges(p: PlannedNode, cfg: SnapshotConfig, columns: readonly string[]): readonly SqlStep[] {
  const t = qualified(p.target);
  const s = qualified(tempRelation(p));
  const steps = [
    stmt('close changed versions', [
      `update ${t} as t`,
      `set dbt_valid_to = ${versionTime(cfg, 's')}`,
      `from ${s} as s`,
      `where ${keyMatch(cfg.keys, 't', 's')}`,
      '  and t.dbt_valid_to is null',
      `  and (${changed(cfg, columns)})`,
    ].join('\n')),
    stmt('insert new versions', [
      `insert into ${t} (${columnList(columns)}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)`,
      `select ${columnList(columns, 's')}, ${scdId(cfg, 's')}, ${versionTime(cfg, 's')}, ${versionTime(cfg, 's')}, null`,
      `from ${s} as s`,
      `where not exists (select 1 from ${t} as t where ${keyMatch(cfg.keys, 't', 's')} and t.dbt_valid_to is null)`,
    ].join('\n'), true),
  ];
  if (!cfg.invalidate) return steps;
  return [
    ...steps,
    stmt('invalidate deleted keys', [
      `update ${t} as t`,
      `set dbt_valid_to = ${SNAPSHOT_TIME}`,
      'where t.dbt_valid_to is null',
      `  and not exists (select 1 from ${s} as s where ${keyMatch(cfg.keys, 's', 't')})`,
    ].join('\n')),
  ];
}

/** timestamp: the source row is newer than the current version; check: a checked column differs. */
function changed(cfg: SnapshotConfig, columns: readonly string[]): string {
  if (cfg.strategy === 'timestamp') return `t.dbt_valid_from < s.${quoteIdent(cfg.updatedAt!)}`;
  const checked = cfg.checkCols === 'all' ? columns.filter((c) => !cfg.keys.includes(c)) : cfg.checkCols;
  return checked.map((c) => `t.${quoteIdent(c)} is distinct from s.${quoteIdent(c)}`).join(' or ');
}
