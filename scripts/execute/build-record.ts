/**
 * A build's life-cycle in strata_meta: started (with its id), its versioned schemas created and
 * recorded, finished with a status; and builds a killed process left "running" marked cancelled.
 * Node and test results are recorded by report/records.ts.
 */
import type pg from 'pg';
import { quoteIdent } from '../core/sql.ts';

export interface BuildStart {
  readonly project: string;
  readonly command: string;
  readonly invokedBy: string;
  readonly selected: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly fullRefresh: boolean;
}

/** How a build ended, as recorded in strata_meta.builds.status. */
export type BuildStatus = 'success' | 'error' | 'cancelled';

/** Takes the next build id and records the build as running. */
export async function startBuild(pool: pg.Pool, start: BuildStart): Promise<number> {
  const result = await pool.query<{ build_id: string }>(
    `insert into strata_meta.builds (build_id, project, command, invoked_by, selected, vars, full_refresh)
     values (nextval('strata_meta.build_id_seq'), $1, $2, $3, $4, $5, $6) returning build_id`,
    [start.project, start.command, start.invokedBy, start.selected, JSON.stringify(start.vars), start.fullRefresh],
  );
  return Number(result.rows[0]!.build_id);
}

/** Builds still marked running once we hold the build lock died without finishing (killed, Ctrl-C). */
export async function markAbandonedBuilds(pool: pg.Pool): Promise<number> {
  const result = await pool.query(
    `update strata_meta.builds set status = 'cancelled', finished_at = coalesce(finished_at, now()),
            message = coalesce(message, 'the process ended before the build finished')
      where status = 'running'`,
  );
  return result.rowCount ?? 0;
}

/** Creates this build's versioned schemas and records them, so retention can find them. */
export async function createBuildSchemas(pool: pg.Pool, buildId: number, schemas: Readonly<Record<string, string>>): Promise<void> {
  for (const [layer, schema] of Object.entries(schemas)) {
    await pool.query(`create schema if not exists ${quoteIdent(schema)}`);
    await pool.query(
      `insert into strata_meta.build_schemas (build_id, schema_name, layer) values ($1, $2, $3) on conflict do nothing`,
      [buildId, schema, layer],
    );
  }
}

/** Records how the build ended and why, when it did not publish. */
export async function finishBuild(pool: pg.Pool, buildId: number, status: BuildStatus, message?: string): Promise<void> {
  await pool.query(
    `update strata_meta.builds set status = $2, finished_at = now(), message = $3 where build_id = $1`,
    [buildId, status, message ?? null],
  );
}
