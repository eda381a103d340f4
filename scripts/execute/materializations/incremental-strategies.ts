import { qualified, quoteIdent } from '../../core/ts-model.ts';
import type { IncrementalStrategy, PlannedNode } from '../../core/types.ts';
import { columnList, keyMatch, requireKey, stmt, tempRelation } from './sql-parts.ts';
import type { SqlStep } from './step.ts';

/**
 * dbt-postgres' default: delete+insert when a unique key is configured, otherwise append.
 */
export function strategyOf(p: PlannedNode): IncrementalStrategy {
  return p.node.config.incrementalStrategy ?? ((p.node.config.uniqueKey ?? []).length > 0 ? 'delete+insert' : 'append');
}

/**
 * The statements that fold the staged new rows into the build's copy of the table. Columns are
 * named (not `select *`) so a model whose column order changed still lands in the right columns.
 */
export function applyIncrement(p: PlannedNode, staged: readonly string[]): readonly SqlStep[] {
  const t = qualified(p.target);
  const tmp = qualified(tempRelation(p));
  // a tombstone column is the model's word for "delete this key": it is read, never stored
  const tombstone = p.node.config.tombstoneColumn;
  const columns = staged.filter((c) => c !== tombstone);
  const keep = tombstone === undefined ? '' : `\nwhere not ${quoteIdent(tombstone)}`;
  const insert = stmt('insert new rows', `insert into ${t} (${columnList(columns)})\nselect ${columnList(columns)}\nfrom ${tmp}${keep}`, true);

  switch (strategyOf(p)) {
    case 'append':
      return [insert];
    case 'delete+insert': {
      const keys = requireKey(p, 'incremental_strategy delete+insert');
      return [stmt('delete replaced rows', `delete from ${t} as t\nusing ${tmp} as s\nwhere ${keyMatch(keys, 't', 's')}`), insert];
    }
    case 'merge': {
      const keys = requireKey(p, 'incremental_strategy merge');
      const updated = columns.filter((c) => !keys.includes(c));
      const whenMatched = updated.length === 0
        ? 'when matched then do nothing'
        : `when matched then update set ${updated.map((c) => `${quoteIdent(c)} = s.${quoteIdent(c)}`).join(', ')}`;
      const flag = tombstone === undefined ? undefined : `s.${quoteIdent(tombstone)}`;
      return [
        stmt(
          'merge new rows',
          [
            `merge into ${t} as t`,
            `using ${tmp} as s`,
            `on ${keyMatch(keys, 't', 's')}`,
            ...(flag === undefined ? [] : [`when matched and ${flag} then delete`]),
            whenMatched,
            `when not matched${flag === undefined ? '' : ` and not ${flag}`} then insert (${columnList(columns)}) values (${columnList(columns, 's')})`,
          ].join('\n'),
          true,
        ),
      ];
    }
  }
}
