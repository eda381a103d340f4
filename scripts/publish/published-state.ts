import type pg from 'pg';
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
  const live = await db.query<LiveRow>('select * from strata_meta.live order by node_id');
  const relations: Record<string, Relation> = {};
  const stored: Record<string, StoredState> = {};
  for (const r of live.rows) {
    relations[r.node_id] = { schema: r.public_schema, name: r.public_name };
    if (r.kind === 'stored' && r.gen !== null && r.data_build !== null) {
      stored[r.node_id] = { partition: { schema: r.physical_schema, name: r.physical_name }, gen: Number(r.gen), dataBuild: Number(r.data_build) };
    }
  }
  return { buildId: Number(row.build_id), relations, stored };
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
