import type { PlannedNode } from '../../core/types.ts';
import type { Step } from './step.ts';
import { tableSteps } from './table.ts';

/**
 * A materialised view is stored as a table: each build writes its rows into a new partition, so
 * publishing the build is the refresh (a PostgreSQL materialized view could not be a partition,
 * and `refresh` would rewrite what readers see).
 */
export function materializedViewSteps(p: PlannedNode): readonly Step[] {
  return tableSteps(p);
}
