import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import type { Relation } from '../core/types.ts';
import { relationsOf } from './published-state.ts';

export interface RollbackTarget {
  readonly fromBuild: number;
  readonly toBuild: number;
  readonly relations: Readonly<Record<string, Relation>>;
}

/**
 * The build `rollback` republishes: the newest earlier published build whose objects still exist.
 * Rolling back twice goes two builds back.
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
      where p.build_id < $1
        and not exists (
          select 1 from strata_meta.published_relations r
           where r.publication_id = p.publication_id
             and to_regclass(format('%I.%I', r.physical_schema, r.physical_name)) is null)
      order by p.build_id desc, p.publication_id desc
      limit 1`,
    [fromBuild],
  );
  const row = earlier.rows[0];
  if (!row) throw new StrataError(`build ${fromBuild} is published and no earlier build is kept to roll back to`);
  return { fromBuild, toBuild: Number(row.build_id), relations: await relationsOf(pool, Number(row.publication_id)) };
}
