import { sql, type Kysely } from 'kysely';
import pLimit from 'p-limit';
import { UsageError } from '../../scripts/core/errors.ts';
import { defineModel, qualified, quoteIdent, quoteLiteral } from '../../scripts/core/ts-model.ts';
import type { Relation } from '../../scripts/core/types.ts';

/**
 * Gold: how this build's customers differ from the published build's, before it is published.
 * Per numeric column of customer_features: the population stability index over quantile bins of
 * the published build, and the Kolmogorov–Smirnov statistic; per k-means and RFM segment: the
 * share of customers before and now, and the PSI of the whole segment mix. Everything is
 * computed in SQL (Node only sends the queries); the tests in tests/data/feature_drift_*.sql warn
 * above var drift_psi_warn (0.1) and block publishing above var drift_psi_block when it is set
 * (e.g. 0.25). Empty when nothing is published yet (the first build has nothing to drift from).
 *
 *   PSI = Σ_bins (c − b) · ln(c / b), b and c the published and new shares of a bin, each at
 *         least 1e-4 so an empty bin counts as rare, not infinitely surprising; the bins are cut
 *         at the published build's deciles (var drift_bins, default 10; equal cut points merge),
 *         and missing values are a bin of their own
 *   KS  = max over values v of |F_published(v) − F_new(v)|, the empirical distribution functions
 *         (missing values left out)
 */
export default defineModel({
  dependsOn: ['customer_features', 'customer_segments', 'customer_rfm'],
  description: 'Drift of customer features and segment shares between the published build and this one.',
  async run(ctx) {
    const bins = driftBins(ctx.vars['drift_bins']);
    await sql.raw(`
      create table ${qualified(ctx.this)} (
        kind                text not null,
        name                text not null,
        psi                 double precision,
        ks                  double precision,
        bins                integer,
        baseline_share      double precision,
        current_share       double precision,
        share_shift         double precision,
        baseline_customers  bigint not null,
        current_customers   bigint not null,
        baseline_build_id   bigint,
        build_id            bigint not null,
        primary key (kind, name)
      )`).execute(ctx.db);
    const before = ctx.published('customer_features');
    const segmentsBefore = ctx.published('customer_segments');
    const rfmBefore = ctx.published('customer_rfm');
    if (!before) {
      ctx.log('nothing published yet: no drift to measure');
      return { rows: 0 };
    }
    const baselineBuild = await publishedBuildId(ctx.db);
    const now = ctx.ref('customer_features');
    const features = await sharedNumericColumns(ctx.db, before, now);
    const constants = { baselineBuild, buildId: ctx.buildId };
    // Each measure is a statement of its own over both builds' rows (a sort of their values), and
    // none reads another's: up to four run at once. One after another, at 10 M lines (92,000
    // customers), they took 2.2 s at the end of every build, with nothing else left to run.
    const atOnce = pLimit(4);
    await Promise.all([
      ...features.map((feature) => atOnce(() => insertFeatureDrift(ctx.db, ctx.this, before, now, feature, bins, constants))),
      // k-means segments by id: ids stay with a segment across builds, names may be refined
      ...(segmentsBefore ? [atOnce(() => insertSegmentDrift(ctx.db, ctx.this, 'kmeans', segmentsBefore, ctx.ref('customer_segments'), 'segment_id', constants))] : []),
      ...(rfmBefore ? [atOnce(() => insertSegmentDrift(ctx.db, ctx.this, 'rfm', rfmBefore, ctx.ref('customer_rfm'), 'rfm_segment', constants))] : []),
    ]);
    const worst = await sql<{ name: string; psi: number }>`
      select name, psi from ${sql.raw(qualified(ctx.this))} where psi is not null order by psi desc limit 3`.execute(ctx.db);
    ctx.log(`against build ${baselineBuild ?? '?'}: highest PSI ${worst.rows.map((r) => `${r.name} ${r.psi.toFixed(3)}`).join(', ')}`);
  },
});

/** var drift_bins: the number of quantile bins, 2 to 100 (default 10, deciles). */
export function driftBins(value: unknown): number {
  if (value === undefined || value === null) return 10;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > 100) {
    throw new UsageError(`var drift_bins must be a whole number from 2 to 100, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function publishedBuildId(db: Kysely<unknown>): Promise<number | null> {
  const result = await sql<{ build_id: string }>`
    select build_id from strata_meta.publications order by publication_id desc limit 1`.execute(db);
  return result.rows[0] ? Number(result.rows[0].build_id) : null;
}

/** Numeric columns present in both builds' customer_features (a feature new in this build has no baseline). */
async function sharedNumericColumns(db: Kysely<unknown>, before: Relation, now: Relation): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select a.attname as name
    from pg_attribute a
    where a.attrelid = ${qualified(now)}::regclass and a.attnum > 0 and not a.attisdropped
      and format_type(a.atttypid, a.atttypmod) ~ '^(integer|bigint|smallint|numeric|double precision|real)'
      and a.attname <> 'customer_id'
      and exists (select 1 from pg_attribute b where b.attrelid = ${qualified(before)}::regclass and b.attname = a.attname and not b.attisdropped)
    order by a.attnum`.execute(db);
  return result.rows.map((r) => r.name);
}

interface Constants {
  readonly baselineBuild: number | null;
  readonly buildId: number;
}

async function insertFeatureDrift(
  db: Kysely<unknown>,
  out: Relation,
  before: Relation,
  now: Relation,
  feature: string,
  bins: number,
  constants: Constants,
): Promise<void> {
  const column = quoteIdent(feature);
  const cuts = Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
  await sql.raw(`
    insert into ${qualified(out)} (kind, name, psi, ks, bins, baseline_customers, current_customers, baseline_build_id, build_id)
    with values_of as (
        select false as is_new, ${column}::double precision as v from ${qualified(before)}
        union all
        select true, ${column}::double precision from ${qualified(now)}
    ),
    sizes as (
        select count(*) filter (where not is_new) as nb, count(*) filter (where is_new) as nc,
               count(v) filter (where not is_new) as nb_values, count(v) filter (where is_new) as nc_values
        from values_of
    ),
    edges as (
        -- the published build's quantiles; equal cut points (a value shared by many) merge
        select coalesce((select array_agg(distinct q order by q) from unnest(percentile_cont(array[${cuts.join(', ')}]::double precision[]) within group (order by v)) as q), '{}') as e
        from values_of where not is_new and v is not null
    ),
    shares as (
        select greatest(count(*) filter (where not is_new)::double precision / nullif(s.nb, 0), 1e-4) as b,
               greatest(count(*) filter (where is_new)::double precision / nullif(s.nc, 0), 1e-4) as c
        from values_of cross join edges cross join sizes as s
        group by case when v is null then -1 else width_bucket(v, e) end, s.nb, s.nc
    ),
    cumulative as (
        -- each side's count of values at or below each value: one sort, the peers of a tie
        -- counted together (the default frame), so a tie is one step of the distribution function
        select count(*) filter (where not is_new) over (order by v) as at_or_below_b,
               count(*) filter (where is_new) over (order by v) as at_or_below_c
        from values_of where v is not null
    )
    select 'feature', ${quoteLiteral(feature)},
           (select sum((c - b) * ln(c / b)) from shares),
           (select max(abs(at_or_below_b::double precision / nullif(s.nb_values, 0) - at_or_below_c::double precision / nullif(s.nc_values, 0))) from cumulative),
           (select count(*)::integer from shares),
           s.nb, s.nc, ${constants.baselineBuild ?? 'null'}, ${constants.buildId}
    from sizes as s`).execute(db);
}

/** Per segment: its share before and now; plus one row for the whole mix ('(mix)') with its PSI. */
async function insertSegmentDrift(
  db: Kysely<unknown>,
  out: Relation,
  kind: 'kmeans' | 'rfm',
  before: Relation,
  now: Relation,
  column: string,
  constants: Constants,
): Promise<void> {
  const name = quoteIdent(column);
  await sql.raw(`
    insert into ${qualified(out)} (kind, name, psi, baseline_share, current_share, share_shift, baseline_customers, current_customers, baseline_build_id, build_id)
    with members as (
        select 'b'::text as side, ${name}::text as segment from ${qualified(before)}
        union all
        select 'c', ${name}::text from ${qualified(now)}
    ),
    sizes as (
        select count(*) filter (where side = 'b') as nb, count(*) filter (where side = 'c') as nc from members
    ),
    shares as (
        select segment,
               count(*) filter (where side = 'b')::double precision / s.nb as b,
               count(*) filter (where side = 'c')::double precision / s.nc as c,
               count(*) filter (where side = 'b') as cb,
               count(*) filter (where side = 'c') as cc
        from members cross join sizes as s
        group by segment, s.nb, s.nc
    )
    select '${kind}_segment', segment, null, b, c, c - b, cb, cc, ${constants.baselineBuild ?? 'null'}, ${constants.buildId}
    from shares
    union all
    select '${kind}_mix', '(all segments)',
           (select sum((greatest(c, 1e-4) - greatest(b, 1e-4)) * ln(greatest(c, 1e-4) / greatest(b, 1e-4))) from shares),
           null, null, null, s.nb, s.nc, ${constants.baselineBuild ?? 'null'}, ${constants.buildId}
    from sizes as s`).execute(db);
}
