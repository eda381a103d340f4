import { qualified, quoteIdent } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { SNAPSHOT_TIME, scdId, versionTime, type SnapshotConfig } from './snapshot-config.ts';
import { columnList, keyMatch, stmt, tempRelation } from './sql-parts.ts';
import type { SqlStep } from './step.ts';
import { CURRENT, insertVersions, publishedRows, supersede } from './versioned.ts';

const META = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'];

/**
 * A later snapshot build against the staged source `s` (dbt semantics): close the current version
 * of every key whose row changed, add a new version for every staged key that now has no current
 * version (changed or new), and with `hard_deletes: invalidate` close current versions whose key
 * left the source. Closing a version never updates a published row: the row is superseded by this
 * build and a copy with `dbt_valid_to` set is inserted, both invisible until the build publishes.
 */
export function snapshotChanges(p: PlannedNode, cfg: SnapshotConfig, columns: readonly string[]): readonly SqlStep[] {
  const part = qualified(publishedRows(p).partition);
  const s = `${qualified(tempRelation(p))} as s`;
  const all = [...columns, ...META];
  const steps = [
    stmt('close changed versions', close(p, columns, versionTime(cfg, 's'), s, [
      keyMatch(cfg.keys, 't', 's'),
      't.dbt_valid_to is null',
      `(${changed(cfg, columns)})`,
    ])),
    stmt('insert new versions', insertVersions(
      p,
      all,
      `${columnList(columns, 's')}, ${scdId(cfg, 's')}, ${versionTime(cfg, 's')}, ${versionTime(cfg, 's')}, null`,
      `${s}\nwhere not exists (select 1 from ${part} as t where ${keyMatch(cfg.keys, 't', 's')} and t.dbt_valid_to is null and ${CURRENT})`,
    ), true),
  ];
  if (!cfg.invalidate) return steps;
  return [
    ...steps,
    stmt('invalidate deleted keys', close(p, columns, SNAPSHOT_TIME, undefined, [
      't.dbt_valid_to is null',
      `not exists (select 1 from ${s} where ${keyMatch(cfg.keys, 's', 't')})`,
    ])),
  ];
}

/** Supersedes the matching current versions and inserts each again with `dbt_valid_to = validTo`. */
function close(p: PlannedNode, columns: readonly string[], validTo: string, from: string | undefined, where: readonly string[]): string {
  const kept = [...columns, 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from'];
  // The snapshot time (now(), stable) is written by the insert, not returned by the update: Citus
  // refuses "non-IMMUTABLE functions are not allowed in the RETURNING clause" on distributed
  // tables. now() is the transaction's start either way, so the rows are the same.
  const fromUpdate = validTo !== SNAPSHOT_TIME;
  return [
    'with closed as (',
    supersede(p, from, where.join('\n  and ')),
    `returning ${columnList(kept, 't')}${fromUpdate ? `, ${validTo} as dbt_valid_to` : ''}`,
    ')',
    insertVersions(p, [...kept, 'dbt_valid_to'], fromUpdate ? columnList([...kept, 'dbt_valid_to']) : `${columnList(kept)}, ${SNAPSHOT_TIME}`, 'closed'),
  ].join('\n');
}

function changed(cfg: SnapshotConfig, columns: readonly string[]): string {
  if (cfg.strategy === 'timestamp') return `t.dbt_valid_from < s.${quoteIdent(cfg.updatedAt!)}`;
  const checked = cfg.checkCols === 'all' ? columns.filter((c) => !cfg.keys.includes(c)) : cfg.checkCols;
  return checked.map((c) => `t.${quoteIdent(c)} is distinct from s.${quoteIdent(c)}`).join(' or ');
}
