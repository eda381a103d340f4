import type pg from 'pg';
import { readSourceMarks } from '../audit/source-marks.ts';
import type { PublishedState, Relation, StoredState } from '../core/types.ts';

/**
 * What the public views show now, from the pointer table: every published node's public view
 * (which a build reads for nodes it does not build), and where stored nodes keep their rows.
 */
export async function readPublishedState(db: pg.Pool | pg.PoolClient): Promise<PublishedState> {
  const latest = await db.query<{ build_id: string }>(
    'select build_id from strata_meta.publications order by publication_id desc limit 1',
  );
  const row = latest.rows[0];
  if (!row) return { buildId: null, relations: {}, stored: {} };
  const buildId = Number(row.build_id);
  const live = await db.query<LiveRow & { versioned: boolean }>(
    `select l.*, exists (
        select 1 from pg_attribute a
         where a.attrelid = to_regclass(format('%I.%I', l.physical_schema, l.physical_name))
           and a.attname = '_strata_from' and not a.attisdropped) as versioned
       from strata_meta.live as l order by node_id`,
  );
  const relations: Record<string, Relation> = {};
  const stored: Record<string, StoredState> = {};
  const viewSql: Record<string, string> = {};
  for (const r of live.rows) {
    relations[r.node_id] = { schema: r.public_schema, name: r.public_name };
    if (r.kind === 'view') viewSql[r.node_id] = r.view_sql;
    if (r.kind === 'stored' && r.gen !== null && r.data_build !== null) {
      stored[r.node_id] = { partition: { schema: r.physical_schema, name: r.physical_name }, gen: Number(r.gen), dataBuild: Number(r.data_build), versioned: r.versioned };
    }
  }
  const builds = [buildId, ...Object.values(stored).map((s) => s.dataBuild)];
  const { passedTests, passedInputs } = await passedTestsOf(db, builds, buildId);
  return { buildId, relations, stored, passedTests, passedInputs, viewSql, sourceMarks: await readSourceMarks(db, buildId) };
}

/**
 * One read of the tests that passed in the given builds: build id → test id → its definition
 * then; and, for the published build, test id → the versions of what it read, where recorded.
 */
async function passedTestsOf(
  db: pg.Pool | pg.PoolClient, builds: readonly number[], published: number,
): Promise<Pick<PublishedState, 'passedTests' | 'passedInputs'>> {
  const found = await db.query<{ build_id: string; test_id: string; definition: string | null; inputs: Record<string, string | null> | null }>(
    `select build_id, test_id, definition, inputs from strata_meta.test_results
      where status = 'pass' and build_id = any($1::bigint[]) order by build_id, test_id`,
    [[...new Set(builds)]],
  );
  const passedTests: Record<string, Record<string, string | null>> = {};
  const passedInputs: Record<string, Record<string, string | null>> = {};
  for (const r of found.rows) {
    (passedTests[r.build_id] ??= {})[r.test_id] = r.definition;
    if (Number(r.build_id) === published && r.inputs !== null) passedInputs[r.test_id] = r.inputs;
  }
  return { passedTests, passedInputs };
}

/** One row of `strata_meta.live`, `strata_meta.build_outputs` or `strata_meta.published_relations`. */
export interface LiveRow {
  readonly node_id: string;
  readonly kind: 'stored' | 'view';
  readonly public_schema: string;
  readonly public_name: string;
  readonly view_sql: string;
  readonly physical_schema: string;
  readonly physical_name: string;
  readonly gen: string | null;
  readonly data_build: string | null;
}
