import { sql, type Kysely } from 'kysely';
import { StrataError, UsageError } from '../../scripts/core/errors.ts';
import { defineModel, qualified, quoteIdent, type TsModelContext } from '../../scripts/core/ts-model.ts';
import type { Relation } from '../../scripts/core/types.ts';
import {
  applyTransform,
  centreColumn,
  fitTransform,
  inverseTransform,
  matchSegmentIds,
  nameSegments,
  populationFromTransform,
  type FeatureTransform,
  type PreviousCentre,
} from '../../scripts/segment/index.ts';
import { searchSegments, type SearchedFit } from '../../scripts/segment/search.ts';

/**
 * Gold: the k-means segments, one row per segment. Fits on a deterministic sample of
 * customer_features (docs/segments.md), keeps segment ids stable against the published centres,
 * names the segments, and records the fit in strata_meta.segment_fits. customer_segments.sql
 * then assigns every customer in SQL from the columns written here.
 *
 * Vars, with the defaults used when the project sets none:
 *   segment_features  [recency_days, frequency, monetary, avg_order_value, tenure_days,
 *                      distinct_products, return_rate]   customer_features columns to cluster
 *   segment_k         null (choose k in segment_k_range)  or a fixed number of segments
 *   segment_k_range   [3, 8]
 *   segment_seed      42
 *   segment_sample    10000   customers fitted on, at most 50,000
 *   segment_restarts  10      k-means++ restarts of the final fit, at least 10
 */
export const SEGMENT_VAR_DEFAULTS = {
  segment_features: ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'distinct_products', 'return_rate'],
  segment_k: null,
  segment_k_range: [3, 8],
  segment_seed: 42,
  segment_sample: 10_000,
  segment_restarts: 10,
} as const;

/** The issue's bound: the fit never reads more than this many customers. */
export const MAX_SAMPLE = 50_000;
export const MIN_RESTARTS = 10;

export interface SegmentSettings {
  readonly features: readonly string[];
  readonly k: number | undefined;
  readonly kRange: readonly [number, number];
  readonly seed: number;
  readonly sample: number;
  readonly restarts: number;
}

type FeatureRow = Readonly<Record<string, number>>;

export default defineModel({
  dependsOn: ['customer_features', 'segment_name_overrides'],
  description: 'k-means segment centres fitted on a deterministic sample of customer_features.',
  async run(ctx) {
    const started = performance.now();
    const settings = segmentSettings(ctx.vars);
    const features = ctx.ref('customer_features');
    await checkFeatureColumns(ctx.db, features, settings.features);
    const rows = await readSample(ctx.db, features, settings);
    if (rows.length === 0) throw new StrataError('segment_centres: customer_features is empty, so there is nothing to segment');
    const read = performance.now();

    const transform = fitTransform(rows, settings.features);
    const fit = searchSegments(
      rows.map((r) => applyTransform(transform, r)),
      { seed: settings.seed, restarts: settings.restarts, ...(settings.k === undefined ? { kRange: settings.kRange } : { k: settings.k }) },
    );
    const fitted = performance.now();
    const ids = matchSegmentIds(fit.centres, await previousCentres(ctx, transform));
    const original = fit.centres.map((c) => inverseTransform(transform, c));
    const names = nameSegments(original, populationFromTransform(transform), await nameOverrides(ctx), ids);

    const segments = fit.centres.map((centre, i) => ({
      id: ids[i]!,
      name: names[i]!,
      size: fit.sizes[i]!,
      centre,
      original: original[i]!,
    }));
    await writeCentres(ctx.db, ctx.this, transform, segments, rows.length, ctx.buildId);
    await recordFit(ctx.db, ctx.buildId, transform, fit, rows.length, segments);
    const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
    ctx.log(
      `k = ${fit.k} (${settings.k === undefined ? `chosen in ${settings.kRange.join('..')}` : 'fixed'}) on ${rows.length} sampled customers: ` +
        `read ${ms(started, read)}, fit ${ms(read, fitted)}, ids, names and writes ${ms(fitted, performance.now())}`,
    );
    return { rows: segments.length };
  },
});

/** Reads and checks the segment vars; a bad value is a UsageError naming the var. */
export function segmentSettings(vars: Readonly<Record<string, unknown>>): SegmentSettings {
  const get = <K extends keyof typeof SEGMENT_VAR_DEFAULTS>(name: K): unknown =>
    vars[name] === undefined ? SEGMENT_VAR_DEFAULTS[name] : vars[name];
  const features = get('segment_features');
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && /^[a-z_][a-z0-9_]*$/.test(f))) {
    throw new UsageError(`var segment_features must be a non-empty list of lower-case column names of customer_features, got ${JSON.stringify(features)}`);
  }
  if (new Set(features).size !== features.length) throw new UsageError(`var segment_features lists a column twice: ${features.join(', ')}`);
  const k = get('segment_k');
  const range = get('segment_k_range');
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
    throw new UsageError(`var segment_k_range must be two integers [low, high], got ${JSON.stringify(range)}`);
  }
  const sample = integer('segment_sample', get('segment_sample'), 2, MAX_SAMPLE);
  return {
    features: features as string[],
    k: k === null ? undefined : integer('segment_k', k, 2, Infinity),
    kRange: [range[0] as number, range[1] as number],
    seed: integer('segment_seed', get('segment_seed'), -(2 ** 31), 2 ** 31 - 1),
    sample,
    restarts: integer('segment_restarts', get('segment_restarts'), MIN_RESTARTS, 1000),
  };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const bounds = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`var ${name} must be an integer ${bounds}, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function checkFeatureColumns(db: Kysely<unknown>, relation: Relation, features: readonly string[]): Promise<void> {
  const result = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = ${qualified(relation)}::regclass and attnum > 0 and not attisdropped`.execute(db);
  const columns = new Set(result.rows.map((r) => r.name));
  const missing = features.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new UsageError(
      `var segment_features names ${missing.join(', ')}, not a column of customer_features (columns: ${[...columns].join(', ')})`,
    );
  }
}

/**
 * The fitted sample: the `sample` customers with the smallest md5 of id and seed. Which
 * customers are chosen does not depend on row order or physical layout, and the same data and
 * seed give the same sample. Rows come back in that hash order.
 */
async function readSample(db: Kysely<unknown>, relation: Relation, settings: SegmentSettings): Promise<FeatureRow[]> {
  // float8 because numeric columns would arrive as strings
  const columns = settings.features.map((f) => `${quoteIdent(f)}::double precision as ${quoteIdent(f)}`).join(', ');
  const result = await sql.raw<FeatureRow>(`
    select ${columns}
    from ${qualified(relation)}
    order by md5(customer_id::text || ':' || '${settings.seed}'), customer_id
    limit ${settings.sample}`).execute(db);
  return result.rows;
}

/**
 * The published segments' centres in THIS build's standardised space (the transform is refitted
 * every build, so the stored original-unit centres are re-standardised), for matchSegmentIds.
 *
 * One more entry carries the highest segment id ever recorded, with no coordinates: it matches
 * nothing (its length differs), and matchSegmentIds numbers new segments above it, so an id that
 * lapsed in an earlier build is never handed to a different segment.
 */
async function previousCentres(ctx: TsModelContext, transform: FeatureTransform): Promise<PreviousCentre[]> {
  const published = ctx.published('segment_centres');
  const rows = published
    ? (await sql.raw<Record<string, unknown>>(`select * from ${qualified(published)}`).execute(ctx.db)).rows
    : [];
  const previous = rows.map((row) => {
    const original = transform.features.map((f) => row[`o_${f}`]);
    // a centre without every current feature (the feature set changed) can match nothing
    const comparable = original.every((x): x is number => typeof x === 'number');
    const centre = comparable
      ? applyTransform(transform, Object.fromEntries(transform.features.map((f, i) => [f, original[i] as number])))
      : [];
    return { id: Number(row['segment_id']), centre };
  });
  const ever = await sql<{ id: number | null }>`
    select max((s ->> 'segment_id')::integer) as id
    from strata_meta.segment_fits, jsonb_array_elements(segments) as s`.execute(ctx.db);
  const highest = ever.rows[0]?.id ?? 0;
  return [...previous, { id: highest, centre: [] }];
}

/** Names fixed by the seed segment_name_overrides (segment_id → name), used verbatim. */
async function nameOverrides(ctx: TsModelContext): Promise<Map<number, string>> {
  const result = await sql.raw<{ segment_id: number | null; segment_name: string | null }>(
    `select segment_id, segment_name from ${qualified(ctx.ref('segment_name_overrides'))}`,
  ).execute(ctx.db);
  return new Map(
    result.rows.flatMap((r) => (r.segment_id === null || !r.segment_name ? [] : [[Number(r.segment_id), r.segment_name] as const])),
  );
}

interface Segment {
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
async function writeCentres(
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
async function recordFit(
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
