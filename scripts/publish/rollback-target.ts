import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import type { LiveRow } from './published-state.ts';

export interface RollbackTarget {
  readonly fromBuild: number;
  readonly toBuild: number;
  /** the earlier publication's whole pointer state */
  readonly rows: readonly LiveRow[];
}

/**
 * The build `rollback` republishes: the newest earlier published build whose partitions are all
 * still kept and whose row versions were not discarded (a build rolled back from, once another
 * build ran, is discarded). Rolling back twice goes two builds back.
 */
export async function findRollbackTarget(pool: pg.Pool): Promise<RollbackTarget> {
  const current = await pool.query<{ build_id: string }>(
    'select build_id from strata_meta.publications order by publication_id desc limit 1',
  );
  const fromBuild = current.rows[0] ? Number(current.rows[0].build_id) : undefined;
  if (fromBuild === undefined) throw new StrataError('nothing has been published yet, so there is nothing to roll back to');
  const earlier = await pool.query<{ publication_id: string; build_id: string }>(
    `select p.publication_id, p.build_id
       from strata_meta.publications p
       join strata_meta.builds b using (build_id)
      where p.build_id < $1
        and not b.discarded
        and not exists (
          select 1 from strata_meta.published_relations r
           where r.publication_id = p.publication_id
             and (r.kind is null
                  or (r.kind = 'stored' and to_regclass(format('%I.%I', r.physical_schema, r.physical_name)) is null)))
      order by p.build_id desc, p.publication_id desc
      limit 1`,
    [fromBuild],
  );
  const row = earlier.rows[0];
  if (!row) throw new StrataError(`build ${fromBuild} is published and no earlier build is kept to roll back to`);
  const rows = await pool.query<LiveRow>(
    `select node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build
       from strata_meta.published_relations where publication_id = $1 order by node_id`,
    [Number(row.publication_id)],
  );
  return { fromBuild, toBuild: Number(row.build_id), rows: rows.rows };
}

/**
 * Called by a build before it writes: every published build newer than the published one was
 * rolled back from; this build removes their row versions, so they can no longer be republished.
 * The retractions those builds applied are not in the published rows any more (the rows rolled
 * back to still hold the batches' lines): they are pending again, so this build removes the
 * lines again, as a full rebuild would.
 */
export async function discardRolledBack(pool: pg.Pool, publishedBuild: number | null): Promise<void> {
  if (publishedBuild === null) return;
  await pool.query('update strata_meta.builds set discarded = true where published and build_id > $1', [publishedBuild]);
  await pool.query('delete from strata_meta.applied_retractions where build_id > $1', [publishedBuild]);
}
