import { sql, type Kysely } from 'kysely';
import { StrataError, UsageError } from '../core/errors.ts';
import { qualified, quoteIdent, type TsModelContext } from '../core/ts-model.ts';
import type { Relation } from '../core/types.ts';
import { centreColumn } from './sql.ts';
import { matchSegmentIds, type PreviousCentre } from './match.ts';
import { populationFromTransform, type Population } from './position.ts';
import { searchSegments, type SearchedFit } from './search.ts';
import { applyTransform, fitTransform, inverseTransform, type FeatureTransform } from './transform.ts';

/**
 * The k-means segment model as a pipeline step, shared by every feature table that is segmented
 * (gold.segment_centres over customer_features, gold.traveler_segment_centres over
 * traveler_features): read a deterministic sample, fit the transform, search k, keep ids stable
 * against the published centres, name, write the centres table and record the fit.
 * docs/segments.md describes each step.
 */
export interface SegmentModelSpec {
  /** the feature model (a declared input) whose rows are segmented, keyed by customer_id */
  readonly features: string;
  /** the seed of name overrides (segment_id, segment_name) */
  readonly overrides: string;
  /** this model's own name, to read its published centres */
  readonly self: string;
  /** the history table of fits, strata_meta.<name> (same columns as strata_meta.segment_fits) */
  readonly fitsTable: string;
  /** the settings, from the vars */
  readonly settings: SegmentSettings;
  /** the var the feature list came from, for messages */
  readonly featuresVar: string;
  /** segment names from centres in original units (nameSegments or a domain's namer) */
  readonly name: (
    centres: readonly Readonly<Record<string, number>>[],
    population: Population,
    overrides: ReadonlyMap<number, string>,
    ids: readonly number[],
  ) => string[];
  /**
   * When true, an empty feature table gives an empty centres table (a domain with no data loaded
   * yet), and a feature with no value in the sample is left out of the fit (written as a neutral
   * column: mean 0, sd 1, centre 0, so everyone scores 0 on it). When false both are errors.
   */
  readonly tolerant: boolean;
}

export interface SegmentSettings {
  readonly features: readonly string[];
  readonly k: number | undefined;
  readonly kRange: readonly [number, number];
  readonly seed: number;
  readonly sample: number;
  readonly restarts: number;
}

/** The issue's bound: the fit never reads more than this many customers. */
export const MAX_SAMPLE = 50_000;
export const MIN_RESTARTS = 10;

/** What the vars fall back to when the project sets none. */
export interface SegmentVarDefaults {
  readonly features: readonly string[];
  readonly k: number | null;
  readonly kRange: readonly [number, number];
  readonly seed: number;
  readonly sample: number;
  readonly restarts: number;
}

type FeatureRow = Readonly<Record<string, number>>;

/**
 * Reads and checks the segment vars; a bad value is a UsageError naming the var. `prefix` names a
 * sibling feature set: `traveler_` reads traveler_segment_features, traveler_segment_k and
 * traveler_segment_k_range; seed, sample and restarts are always the shared segment_* vars.
 */
export function readSegmentSettings(
  vars: Readonly<Record<string, unknown>>,
  defaults: SegmentVarDefaults,
  prefix = '',
): SegmentSettings {
  const get = (name: string, fallback: unknown): unknown => (vars[name] === undefined ? fallback : vars[name]);
  const featuresVar = `${prefix}segment_features`;
  const features = get(featuresVar, defaults.features);
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && /^[a-z_][a-z0-9_]*$/.test(f))) {
    throw new UsageError(`var ${featuresVar} must be a non-empty list of lower-case column names, got ${JSON.stringify(features)}`);
  }
  if (new Set(features).size !== features.length) throw new UsageError(`var ${featuresVar} lists a column twice: ${features.join(', ')}`);
  const k = get(`${prefix}segment_k`, defaults.k);
  const rangeVar = `${prefix}segment_k_range`;
  const range = get(rangeVar, prefix ? get('segment_k_range', defaults.kRange) : defaults.kRange);
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
    throw new UsageError(`var ${rangeVar} must be two integers [low, high], got ${JSON.stringify(range)}`);
  }
  return {
    features: features as string[],
    k: k === null ? undefined : integer(`${prefix}segment_k`, k, 2, Infinity),
    kRange: [range[0] as number, range[1] as number],
    seed: integer('segment_seed', get('segment_seed', defaults.seed), -(2 ** 31), 2 ** 31 - 1),
    sample: integer('segment_sample', get('segment_sample', defaults.sample), 2, MAX_SAMPLE),
    restarts: integer('segment_restarts', get('segment_restarts', defaults.restarts), MIN_RESTARTS, 1000),
  };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const bounds = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`var ${name} must be an integer ${bounds}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Runs the whole step for one feature table; returns the number of segments written. */
export async function runSegmentModel(ctx: TsModelContext, spec: SegmentModelSpec): Promise<{ rows: number }> {
  const started = performance.now();
  const settings = spec.settings;
  const relation = ctx.ref(spec.features);
  await checkFeatureColumns(ctx.db, relation, settings.features, spec.features, spec.featuresVar);
  const rows = await readSample(ctx.db, relation, settings);
  if (rows.length === 0) {
    if (!spec.tolerant) throw new StrataError(`${spec.self}: ${spec.features} is empty, so there is nothing to segment`);
    await writeCentres(ctx.db, ctx.this, emptyTransform(settings.features), [], 0, ctx.buildId);
    ctx.log(`${spec.features} is empty: no segments`);
    return { rows: 0 };
  }
  const read = performance.now();

  const usable = spec.tolerant ? settings.features.filter((f) => rows.some((r) => Number.isFinite(r[f]))) : settings.features;
  const left = settings.features.filter((f) => !usable.includes(f));
  if (usable.length === 0) throw new StrataError(`${spec.self}: none of ${settings.features.join(', ')} has a value in ${spec.features}`);
  if (left.length > 0) ctx.log(`left out of the fit, no values in ${spec.features}: ${left.join(', ')}`);
  const fitted = fitTransform(rows, usable);
  const fit = searchSegments(
    rows.map((r) => applyTransform(fitted, r)),
    { seed: settings.seed, restarts: settings.restarts, ...(settings.k === undefined ? { kRange: settings.kRange } : { k: settings.k }) },
  );
  const done = performance.now();
  const ids = matchSegmentIds(fit.centres, await previousCentres(ctx, fitted, spec));
  const original = fit.centres.map((c) => inverseTransform(fitted, c));
  const names = spec.name(original, populationFromTransform(fitted), await nameOverrides(ctx, spec.overrides), ids);

  // every configured feature gets its columns; one left out is neutral (see `tolerant`)
  const transform = withNeutral(fitted, settings.features);
  const segments = fit.centres.map((centre, i) => ({
    id: ids[i]!,
    name: names[i]!,
    size: fit.sizes[i]!,
    centre: transform.features.map((f) => (usable.includes(f) ? centre[usable.indexOf(f)]! : 0)),
    original: original[i]!,
  }));
  await writeCentres(ctx.db, ctx.this, transform, segments, rows.length, ctx.buildId);
  await recordFit(ctx.db, spec.fitsTable, ctx.buildId, fitted, fit, rows.length, segments);
  const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
  ctx.log(
    `k = ${fit.k} (${settings.k === undefined ? `chosen in ${settings.kRange.join('..')}` : 'fixed'}) on ${rows.length} sampled customers: ` +
      `read ${ms(started, read)}, fit ${ms(read, done)}, ids, names and writes ${ms(done, performance.now())}`,
  );
  return { rows: segments.length };
}

function emptyTransform(features: readonly string[]): FeatureTransform {
  return { features, log1p: features.map(() => false), mean: features.map(() => 0), sd: features.map(() => 1) };
}

/** The fitted transform extended to every configured feature, those left out as mean 0, sd 1. */
function withNeutral(fitted: FeatureTransform, features: readonly string[]): FeatureTransform {
  const at = (f: string): number => fitted.features.indexOf(f);
  return {
    features,
    log1p: features.map((f) => (at(f) >= 0 ? fitted.log1p[at(f)]! : false)),
    mean: features.map((f) => (at(f) >= 0 ? fitted.mean[at(f)]! : 0)),
    sd: features.map((f) => (at(f) >= 0 ? fitted.sd[at(f)]! : 1)),
  };
}

async function checkFeatureColumns(
  db: Kysely<unknown>,
  relation: Relation,
  features: readonly string[],
  model: string,
  featuresVar: string,
): Promise<void> {
  const result = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = ${qualified(relation)}::regclass and attnum > 0 and not attisdropped`.execute(db);
  const columns = new Set(result.rows.map((r) => r.name));
  const missing = features.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new UsageError(`var ${featuresVar} names ${missing.join(', ')}, not a column of ${model} (columns: ${[...columns].join(', ')})`);
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
async function previousCentres(ctx: TsModelContext, transform: FeatureTransform, spec: SegmentModelSpec): Promise<PreviousCentre[]> {
  const published = ctx.published(spec.self);
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
  const ever = await sql.raw<{ id: number | null }>(`
    select max((s ->> 'segment_id')::integer) as id
    from ${spec.fitsTable}, jsonb_array_elements(segments) as s`).execute(ctx.db);
  const highest = ever.rows[0]?.id ?? 0;
  return [...previous, { id: highest, centre: [] }];
}

/** Names fixed by an overrides seed (segment_id → name), used verbatim. */
async function nameOverrides(ctx: TsModelContext, seed: string): Promise<Map<number, string>> {
  const result = await sql.raw<{ segment_id: number | null; segment_name: string | null }>(
    `select segment_id, segment_name from ${qualified(ctx.ref(seed))}`,
  ).execute(ctx.db);
  return new Map(
    result.rows.flatMap((r) => (r.segment_id === null || !r.segment_name ? [] : [[Number(r.segment_id), r.segment_name] as const])),
  );
}

interface Segment {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  /** standardised, one value per feature of the written transform */
  readonly centre: readonly number[];
  /** in original units, for the features that were fitted */
  readonly original: Readonly<Record<string, number>>;
}

/**
 * One row per segment. Per feature f: o_f (the centre in original units, to read), c_f (the
 * centre in standardised units, what the assigning SQL measures distance to) and the transform
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
  if (segments.length === 0) return;
  const values = segments.map((s) =>
    sql`(${sql.join([
      s.id,
      s.name,
      s.size,
      s.size / sampleSize,
      ...t.features.map((f) => s.original[f] ?? null),
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

/** The fit's history row (the fits table); candidates as measured during the search. */
async function recordFit(
  db: Kysely<unknown>,
  fitsTable: string,
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
    insert into ${sql.raw(fitsTable)} (
      build_id, features, transform, candidates, chosen_k, seed, sample_size, restarts, inertia,
      search_sample_size, search_restarts, segments
    ) values (
      ${buildId}, ${[...t.features]}, ${JSON.stringify(t)}::jsonb, ${JSON.stringify(candidates)}::jsonb, ${fit.k},
      ${fit.seed}, ${sampleSize}, ${fit.restarts}, ${fit.inertia},
      ${fit.searchSampleSize}, ${fit.searchRestarts}, ${JSON.stringify(stored)}::jsonb
    )`.execute(db);
}
