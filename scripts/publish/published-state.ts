import type pg from 'pg';
import type { PublishedState, Relation } from '../core/types.ts';

/** What the public views point at now: the newest publication's relations. */
export async function readPublishedState(db: pg.Pool | pg.PoolClient): Promise<PublishedState> {
  const latest = await db.query<{ publication_id: string; build_id: string }>(
    'select publication_id, build_id from strata_meta.publications order by publication_id desc limit 1',
  );
  const row = latest.rows[0];
  if (!row) return { buildId: null, relations: {} };
  return { buildId: Number(row.build_id), relations: await relationsOf(db, Number(row.publication_id)) };
}

export async function relationsOf(db: pg.Pool | pg.PoolClient, publicationId: number): Promise<Record<string, Relation>> {
  const rows = await db.query<{ node_id: string; physical_schema: string; physical_name: string }>(
    'select node_id, physical_schema, physical_name from strata_meta.published_relations where publication_id = $1',
    [publicationId],
  );
  return Object.fromEntries(rows.rows.map((r) => [r.node_id, { schema: r.physical_schema, name: r.physical_name }]));
}
