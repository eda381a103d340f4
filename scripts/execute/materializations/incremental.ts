import type { PlannedNode } from '../../core/types.ts';
import { applyIncrement } from './incremental-strategies.ts';
import { analyzeStep, copyPreviousSteps, createTemp, dropTemp, indexSteps, tempRelation } from './sql-parts.ts';
import type { Step } from './step.ts';
import { tableSteps } from './table.ts';

/**
 * First build (or --full-refresh): a table. Later builds: copy the published table into this
 * build, index and analyze the copy, stage the model's new rows in a temp table, fold them in
 * with the configured strategy (append, delete+insert or merge), and analyze again. The node's
 * rows are the rows added. The model's incremental SQL may read `this`: it is the copy, already
 * holding the old rows and the configured indexes, so a model can look up only the keys its new
 * rows need (a duplicate check, a watermark) instead of scanning its history.
 */
export function incrementalSteps(p: PlannedNode): readonly Step[] {
  if (!p.isIncremental) return tableSteps(p);
  return [
    ...copyPreviousSteps(p),
    ...indexSteps(p),
    analyzeStep(p),
    createTemp(p),
    { kind: 'with-columns', label: 'fold in new rows', of: tempRelation(p), next: (columns) => applyIncrement(p, columns) },
    dropTemp(p),
    analyzeStep(p),
  ];
}
