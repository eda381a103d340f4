import { qualified } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { analyzeStep, indexSteps, modelSql, wrap } from './sql-parts.ts';
import type { Step } from './step.ts';

/**
 * `create table T as <sql>`, its configured indexes, then fresh statistics for the planner.
 * Without `withIndexes` (incremental models), the indexes are made when the table is stored, over
 * the current row versions only (store.ts).
 */
export function tableSteps(p: PlannedNode, withIndexes = true): readonly Step[] {
  return [
    ...createSteps(p),
    ...(withIndexes ? indexSteps(p) : []),
    analyzeStep(p),
  ];
}

/**
 * A node with `distributed_by` creates its table empty, distributes it (on Citus; nothing on plain
 * PostgreSQL) and then inserts its rows, so that Citus writes them straight into the shards
 * (pushed down to the workers when the model reads co-located tables) instead of copying a
 * coordinator-local table once more. The rows are the same either way.
 */
function createSteps(p: PlannedNode): readonly Step[] {
  const t = qualified(p.target);
  const column = p.node.config.distributedBy;
  if (column === undefined) return [wrap('create table', `create table ${t} as\n`, modelSql(p), '', true)];
  return [
    wrap('create table', `create table ${t} as\n`, modelSql(p), '\nwith no data'),
    // co-located with the published partition by name, so that it attaches to the same parent
    { kind: 'distribute', label: `distribute by ${column}`, of: p.target, column, ...(p.previous ? { colocateWith: p.previous.partition } : {}) },
    wrap('insert rows', `insert into ${t}\n`, modelSql(p), '', true),
  ];
}
