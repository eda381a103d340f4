import type { PlannedNode } from '../../core/types.ts';
import { applyIncrement } from './incremental-strategies.ts';
import { analyzeStep, copyPreviousSteps, createTemp, dropTemp, indexSteps, tempRelation } from './sql-parts.ts';
import type { Step } from './step.ts';
import { tableSteps } from './table.ts';

/**
 * First build (or --full-refresh): a table. Later builds: copy the published table into this
 * build, stage the model's new rows in a temp table, fold them in with the configured strategy
 * (append, delete+insert or merge), then index and analyze. The node's rows are the rows added.
 * The model's incremental SQL may read `this`: it is the copy, already holding the old rows.
 */
export function incrementalSteps(p: PlannedNode): readonly Step[] {
  if (!p.isIncremental) return tableSteps(p);
  return [
    ...copyPreviousSteps(p),
    createTemp(p),
    { kind: 'with-columns', label: 'fold in new rows', of: tempRelation(p), next: (columns) => applyIncrement(p, columns) },
    dropTemp(p),
    ...indexSteps(p),
    analyzeStep(p),
  ];
}
