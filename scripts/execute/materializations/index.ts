import type { PlannedNode } from '../../core/types.ts';
import { incrementalSteps } from './incremental.ts';
import { materializedViewSteps } from './materialized-view.ts';
import { snapshotSteps } from './snapshot.ts';
import { stmt } from './sql-parts.ts';
import type { Step } from './step.ts';
import { tableSteps } from './table.ts';
import { viewSteps } from './view.ts';

export type { Step } from './step.ts';

/**
 * The statements that build one planned node, by its materialisation. Pure: the same planned
 * node gives the same steps. TypeScript models, seeds and ephemeral models have none here
 * (the executor runs the module or loads the CSV; ephemeral SQL is inlined by compile).
 *
 * @example stepsFor(planned).filter((s) => s.kind === 'sql').map((s) => s.sql)
 */
export function stepsFor(p: PlannedNode): readonly Step[] {
  if (p.node.language !== 'sql') return [];
  const steps = materializationSteps(p);
  const header = p.node.config.sqlHeader;
  // config sql_header: first in the node's transaction, so `set local` holds for its statements
  return header === undefined || steps.length === 0 ? steps : [stmt('sql_header', header), ...steps];
}

function materializationSteps(p: PlannedNode): readonly Step[] {
  switch (p.node.config.materialized) {
    case 'view':
      return viewSteps(p);
    case 'table':
      return tableSteps(p);
    case 'materialized_view':
      return materializedViewSteps(p);
    case 'incremental':
      return incrementalSteps(p);
    case 'snapshot':
      return snapshotSteps(p);
    case 'ephemeral':
    case 'seed':
      return [];
  }
}
