/** What the segment step writes: the centres table and its history row in strata_meta.segment_fits. */
import { sql, type Kysely } from 'kysely';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { SearchedFit } from '../search.ts';
import { centreColumn } from '../sql.ts';
import type { FeatureTransform } from '../transform.ts';

/** One fitted segment, as written. */
export interface Segment {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  /** standardised */
  readonly centre: readonly number[];
  readonly original: Readonly<Record<string, number>>;
}

/**
 * One row per segment. Per feature f: o_f (the centre in original units, to read), c_f (the
 * centre in standardised units, what customer_segments measures distance to) and the transform
 * log1p_f, mean_f, sd_f, repeated on every row so that the SQL needs nothing but this table.
 */
export async function writeCentres(
  db: Kysely<unknown>,
  out: Relation,
  t: FeatureTransform,
  segments: readonly Segment[],
  sampleSize: number,
  buildId: number,
): Promise<void> {
  const perFeature = (prefix: string, type: string) => t.features.map((f) => ({ name: `${prefix}${f}`, type }));
  const columns = [
    { name: 'segment_id', type: 'integer primary key' },
    { name: 'segment_name', type: 'text not null' },
    { name: 'customers_in_sample', type: 'integer not null' },
    { name: 'share_in_sample', type: 'double precision not null' },
    ...perFeature('o_', 'double precision'),
    ...t.features.map((f) => ({ name: centreColumn(f), type: 'double precision' })),
    ...perFeature('log1p_', 'boolean'),
    ...perFeature('mean_', 'double precision'),
    ...perFeature('sd_', 'double precision'),
    { name: 'build_id', type: 'bigint not null' },
  ];
  await sql.raw(`create table ${qualified(out)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`).execute(db);
  const values = segments.map((s) =>
    sql`(${sql.join([
      s.id,
      s.name,
      s.size,
      s.size / sampleSize,
      ...t.features.map((f) => s.original[f]!),
      ...s.centre,
      ...t.log1p,
      ...t.mean,
      ...t.sd,
      buildId,
    ])})`,
  );
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  await sql`insert into ${sql.raw(qualified(out))} (${sql.raw(names)}) values ${sql.join(values)}`.execute(db);
}

/** The fit's history row (migration 3); candidates as measured during the search. */
export async function recordFit(
  db: Kysely<unknown>,
  buildId: number,
  t: FeatureTransform,
  fit: SearchedFit,
  sampleSize: number,
  segments: readonly Segment[],
): Promise<void> {
  // JSON has no Infinity (a Davies–Bouldin index of coinciding centres): it is stored as null
  const candidates = fit.candidates.map((c) => ({
    k: c.k,
    inertia: c.inertia,
    silhouette: c.silhouette,
    davies_bouldin: Number.isFinite(c.daviesBouldin) ? c.daviesBouldin : null,
    smallest_share: c.smallestShare,
    chosen: c.chosen,
  }));
  const stored = segments.map((s) => ({ segment_id: s.id, segment_name: s.name, customers_in_sample: s.size, centre: s.original }));
  await sql`
    insert into strata_meta.segment_fits (
      build_id, features, transform, candidates, chosen_k, seed, sample_size, restarts, inertia,
      search_sample_size, search_restarts, segments
    ) values (
      ${buildId}, ${[...t.features]}, ${JSON.stringify(t)}::jsonb, ${JSON.stringify(candidates)}::jsonb, ${fit.k},
      ${fit.seed}, ${sampleSize}, ${fit.restarts}, ${fit.inertia},
      ${fit.searchSampleSize}, ${fit.searchRestarts}, ${JSON.stringify(stored)}::jsonb
    )`.execute(db);
}
