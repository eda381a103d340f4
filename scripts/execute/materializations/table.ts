import { qualified } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { analyzeStep, indexSteps, modelSql, wrap } from './sql-parts.ts';
import type { Step } from './step.ts';

/** `create table T as <sql>`, its configured indexes, then fresh statistics for the planner. */
export function tableSteps(p: PlannedNode): readonly Step[] {
  return [
    wrap('create table', `create table ${qualified(p.target)} as\n`, modelSql(p), '', true),
    ...indexSteps(p),
    analyzeStep(p),
  ];
}
