import { qualified } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { analyzeStep, createDistributed, indexSteps, modelSql, wrap } from './sql-parts.ts';
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

function createSteps(p: PlannedNode): readonly Step[] {
  if (p.node.config.distributedBy === undefined) return [wrap('create table', `create table ${qualified(p.target)} as\n`, modelSql(p), '', true)];
  return [createDistributed(p, 'create table', p.target, true)];
}
