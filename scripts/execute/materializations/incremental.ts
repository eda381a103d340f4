import type { PlannedNode } from '../../core/types.ts';
import { applyIncrement } from './incremental-strategies.ts';
import { createTemp, dropTemp, tempRelation } from './sql-parts.ts';
import type { Step } from './step.ts';
import { tableSteps } from './table.ts';
import { refreshStatistics, startVersionedSteps } from './versioned.ts';

/**
 * First build (or --full-refresh): a table (stored as a new partition). Later builds: stage the
 * model's new rows in a temp table and fold them into the published partition as row versions of
 * this build with the configured strategy (append, delete+insert or merge); the cost is the new
 * rows plus index look-ups, never a copy. The node's rows are the rows added. The model's
 * incremental SQL may read `this`: the published rows.
 */
export function incrementalSteps(p: PlannedNode): readonly Step[] {
  if (!p.isIncremental) return tableSteps(p, false);
  // nothing it reads changed since the published build ran it (execute/keep-unchanged.ts): its
  // query would find nothing new, so the build only forgets unpublished row versions
  if (p.inputsUnchanged) return startVersionedSteps(p);
  return [
    ...startVersionedSteps(p),
    ...createTemp(p),
    { kind: 'with-columns', label: 'fold in new rows', of: tempRelation(p), next: (columns) => applyIncrement(p, columns) },
    refreshStatistics(p),
    dropTemp(p),
  ];
}
