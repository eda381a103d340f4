import type pg from 'pg';
import { quoteIdent } from '../core/sql.ts';

/**
 * Drops build schemas nothing needs any more: kept are the schemas any publication of the last
 * `keep` published builds points at (so `rollback` is instant), and the given build's own (a
 * failed build stays for inspection until the next build). Returns the schemas dropped.
 */
export async function dropOldBuilds(pool: pg.Pool, keep: number, currentBuildId: number): Promise<readonly string[]> {
  const candidates = await pool.query<{ schema_name: string }>(
    `with recent_builds as (
       select build_id from strata_meta.publications
        group by build_id order by max(publication_id) desc limit $1
     ), kept as (
       select distinct r.physical_schema
         from strata_meta.published_relations r
         join strata_meta.publications p using (publication_id)
        where p.build_id in (select build_id from recent_builds)
     )
     select s.schema_name
       from strata_meta.build_schemas s
       join strata_meta.builds b using (build_id)
      where s.dropped_at is null
        and s.build_id <> $2
        and b.status <> 'running'
        and s.schema_name not in (select physical_schema from kept)
      order by s.schema_name`,
    [Math.max(1, keep), currentBuildId],
  );
  const dropped: string[] = [];
  const client = await pool.connect();
  try {
    for (const { schema_name } of candidates.rows) {
      await client.query('begin');
      try {
        // A killed build's query may still run on the server, holding its tables: do not wait
        // for it; the schema is dropped by a later build instead.
        await client.query(`set local lock_timeout = '500ms'`);
        // cascade only reaches objects inside our own versioned schema (and anything built
        // directly on it, which the docs say not to do: build on the public layer views instead).
        await client.query(`drop schema if exists ${quoteIdent(schema_name)} cascade`);
        await client.query('update strata_meta.build_schemas set dropped_at = now() where schema_name = $1', [schema_name]);
        await client.query('commit');
        dropped.push(schema_name);
      } catch (error) {
        await client.query('rollback');
        if ((error as { code?: string }).code !== '55P03') throw error;
      }
    }
  } finally {
    client.release();
  }
  return dropped;
}
