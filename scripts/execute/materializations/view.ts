import { qualified } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { modelSql, wrap } from './sql-parts.ts';
import type { Step } from './step.ts';

/** `create view T as <sql>`: no data is copied, so no row count. */
export function viewSteps(p: PlannedNode): readonly Step[] {
  return [wrap('create view', `create view ${qualified(p.target)} as\n`, modelSql(p))];
}
