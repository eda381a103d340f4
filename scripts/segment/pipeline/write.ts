/** What the segment step writes: the centres table and its history row in the fits table (strata_meta.segment_fits or a sibling). */
import { sql, type Kysely } from 'kysely';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { SearchedFit } from '../search.ts';
import { centreColumn } from '../sql.ts';
import type { FeatureTransform } from '../transform.ts';
import type { SegmentSettings } from './settings.ts';

/** One fitted segment, as written. */
export interface Segment {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  /** standardised, one value per feature of the written transform */
  readonly centre: readonly number[];
  /** in original units, for the features that were fitted */
  readonly original: Readonly<Record<string, number>>;
}

/** What a later build needs to decide whether it may keep this fit (scripts/core/refit-policy.ts). */
export interface FitProvenance {
  /** rows of the feature table when the fit was made */
  readonly population: number;
  /** the sum of its purchases column then (SegmentDomain.purchases) */
  readonly purchases: number;
  /** the settings the fit was made with, as compared by a later build */
  readonly settings: SegmentSettings;
}

/**
 * One row per segment. Per feature f: o_f (the centre in original units, to read), c_f (the
 * centre in standardised units, what customer_segments measures distance to) and the transform
 * log1p_f, mean_f, sd_f, repeated on every row so that the SQL needs nothing but this table; then
 * the build that fitted them, the feature table's rows and purchases at the fit and the settings
 * (fit_customers, fit_purchases, fit_settings), which a later build compares to decide whether to
 * keep the fit.
 */
export async function writeCentres(
  db: Kysely<unknown>,
  out: Relation,
  t: FeatureTransform,
  segments: readonly Segment[],
  sampleSize: number,
  buildId: number,
  fit: FitProvenance,
): Promise<void> {
  const columns = await createCentresTable(db, out, t.features);
  // an empty feature table (a tolerant domain with no data yet) gives the table without rows
  if (segments.length === 0) return;
  const values = segments.map((s) =>
    sql`(${sql.join([
      s.id,
      s.name,
      s.size,
      s.size / sampleSize,
      // a feature left out of the fit has no centre in original units
      ...t.features.map((f) => s.original[f] ?? null),
      ...s.centre,
      ...t.log1p,
      ...t.mean,
      ...t.sd,
      buildId,
      fit.population,
      fit.purchases,
      JSON.stringify(fit.settings),
    ])})`,
  );
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  await sql`insert into ${sql.raw(qualified(out))} (${sql.raw(names)}) values ${sql.join(values)}`.execute(db);
}

/** Creates the empty centres table for `features` (the layout writeCentres fills); returns its columns. */
export async function createCentresTable(db: Kysely<unknown>, out: Relation, features: readonly string[]): Promise<{ name: string; type: string }[]> {
  const perFeature = (prefix: string, type: string) => features.map((f) => ({ name: `${prefix}${f}`, type }));
  const columns = [
    { name: 'segment_id', type: 'integer primary key' },
    { name: 'segment_name', type: 'text not null' },
    { name: 'customers_in_sample', type: 'integer not null' },
    { name: 'share_in_sample', type: 'double precision not null' },
    ...perFeature('o_', 'double precision'),
    ...features.map((f) => ({ name: centreColumn(f), type: 'double precision' })),
    ...perFeature('log1p_', 'boolean'),
    ...perFeature('mean_', 'double precision'),
    ...perFeature('sd_', 'double precision'),
    { name: 'build_id', type: 'bigint not null' },
    { name: 'fit_customers', type: 'bigint not null' },
    { name: 'fit_purchases', type: 'bigint not null' },
    { name: 'fit_settings', type: 'jsonb not null' },
  ];
  await sql.raw(`create table ${qualified(out)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`).execute(db);
  return columns;
}

/** The fit's history row (migration 3, or a sibling table like it); candidates as measured during the search. */
export async function recordFit(
  db: Kysely<unknown>,
  fits: Relation,
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
    insert into ${sql.raw(qualified(fits))} (
      build_id, features, transform, candidates, chosen_k, seed, sample_size, restarts, inertia,
      search_sample_size, search_restarts, segments
    ) values (
      ${buildId}, ${[...t.features]}, ${JSON.stringify(t)}::jsonb, ${JSON.stringify(candidates)}::jsonb, ${fit.k},
      ${fit.seed}, ${sampleSize}, ${fit.restarts}, ${fit.inertia},
      ${fit.searchSampleSize}, ${fit.searchRestarts}, ${JSON.stringify(stored)}::jsonb
    )`.execute(db);
}
