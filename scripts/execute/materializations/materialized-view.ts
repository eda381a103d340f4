import { qualified } from '../../core/sql.ts';
import type { PlannedNode } from '../../core/types.ts';
import { indexSteps, modelSql, wrap } from './sql-parts.ts';
import type { Step } from './step.ts';

/**
 * `create materialized view T as <sql>` and its indexes. Each build creates a new one in its
 * own schema, so there is never a `refresh`: publishing the new build is the refresh.
 */
export function materializedViewSteps(p: PlannedNode): readonly Step[] {
  return [
    wrap('create materialized view', `create materialized view ${qualified(p.target)} as\n`, modelSql(p), '', true),
    ...indexSteps(p),
  ];
}
