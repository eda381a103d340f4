/**
 * The k-means step of a build, shared by every segmented feature table (gold.segment_centres over
 * customer_features, gold.traveler_segment_centres over traveler_features): read a deterministic
 * sample of the feature table, fit the feature transform and the segments (k chosen or fixed),
 * keep segment ids stable against the published centres, name the segments, write one row per
 * segment and record the fit in the domain's fits table. The assigning SQL model
 * (customer_segments.sql, traveler_segments.sql) then places everyone from the columns written
 * here. Method: docs/segments.md.
 */
import { sql, type Kysely } from 'kysely';
import { StrataError } from '../../core/errors.ts';
import { decideRefit, refitGrowth } from '../../core/refit-policy.ts';
import type { TsModelContext } from '../../core/ts-model.ts';
import { qualified } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import { matchSegmentIds } from '../match.ts';
import { populationFromTransform, type Population } from '../position.ts';
import { searchSegments } from '../search.ts';
import { applyTransform, fitTransform, inverseTransform, type FeatureTransform } from '../transform.ts';
import { checkFeatureColumns, countRows, nameOverrides, populationOf, previousCentres, publishedFit, readSample } from './read.ts';
import { readSegmentSettings, type SegmentSettings, type SegmentVars } from './settings.ts';
import { createCentresTable, recordFit, writeCentres, type Segment } from './write.ts';

/** Segment names from centres in original units (nameSegments, or a domain's own namer). */
export type SegmentNamer = (
  centres: readonly Readonly<Record<string, number>>[],
  population: Population,
  overrides: ReadonlyMap<number, string>,
  ids: readonly number[],
) => string[];

/** What one segmented feature table needs of the step: what the customer and traveller segments differ in. */
export interface SegmentDomain {
  /** the centres model itself (its published table keeps ids stable; messages name it) */
  readonly model: string;
  /** its vars and the feature table (a declared input, keyed by customer_id) */
  readonly vars: SegmentVars;
  /** the seed of name overrides (segment_id, segment_name) */
  readonly overrides: string;
  /**
   * the feature table's column counting each customer's purchases (orders, trips): with the
   * customers, what the refit rule measures change in (scripts/core/refit-policy.ts)
   */
  readonly purchases: string;
  /** the history of fits, with the columns of strata_meta.segment_fits */
  readonly fits: Relation;
  readonly name: SegmentNamer;
  /**
   * When true, an empty feature table gives an empty centres table (a domain with no data loaded
   * yet), and a feature with no value in the sample is left out of the fit (written as a neutral
   * column: mean 0, sd 1, centre 0, so everyone scores 0 on it). When false both are errors.
   */
  readonly tolerant: boolean;
}

export interface SegmentRunInput {
  readonly db: Kysely<unknown>;
  readonly domain: SegmentDomain;
  /** the feature table (domain.vars.table) */
  readonly features: Relation;
  /** the seed domain.overrides */
  readonly nameOverrides: Relation;
  /** the published centres, when there is one (for stable ids) */
  readonly published: Relation | undefined;
  /** the centres table to create */
  readonly out: Relation;
  readonly settings: SegmentSettings;
  readonly buildId: number;
  /** the refit rule's inputs (scripts/core/refit-policy.ts): --full-refresh and var refit_growth */
  readonly refit: { readonly fullRefresh: boolean; readonly share: number };
  readonly log: (message: string) => void;
}

export interface SegmentRunResult {
  readonly k: number;
  readonly segments: number;
  readonly sampled: number;
  /** set when the build kept the published fit: the build that made it */
  readonly keptFitOf?: number;
}

/** The step as a TypeScript model's run: the domain's inputs, vars and published table, from the context. */
export async function runSegmentModel(ctx: TsModelContext, domain: SegmentDomain): Promise<{ rows: number }> {
  const result = await runSegmentCentres({
    db: ctx.db,
    domain,
    features: ctx.ref(domain.vars.table),
    nameOverrides: ctx.ref(domain.overrides),
    published: ctx.published(domain.model),
    out: ctx.this,
    settings: readSegmentSettings(ctx.vars, domain.vars),
    buildId: ctx.buildId,
    refit: { fullRefresh: ctx.fullRefresh, share: refitGrowth(ctx.vars) },
    log: ctx.log,
  });
  return { rows: result.segments };
}

export async function runSegmentCentres(input: SegmentRunInput): Promise<SegmentRunResult> {
  const { db, domain, settings } = input;
  const table = domain.vars.table;
  const started = performance.now();
  await checkFeatureColumns(db, input.features, settings.features, table, `${domain.vars.prefix}segment_features`);
  const now = await populationOf(db, input.features, domain.purchases);
  const population = now.customers;
  const decision = decideRefit({ ...input.refit, population, purchases: now.purchases, published: await publishedFit(db, input.published, settings) });
  if (!decision.refit && input.published) {
    // the published centres are the fit: copied as they are (build_id still names the fit's
    // build), and customer_segments re-scores every customer against them
    await createCentresTable(db, input.out, settings.features);
    await sql.raw(`insert into ${qualified(input.out)} select * from ${qualified(input.published)}`).execute(db);
    const kept = await countRows(db, input.out);
    input.log(`kept the fit of build ${decision.fitBuild} (${kept} segments): ${table}: ${decision.reason}`);
    return { k: kept, segments: kept, sampled: 0, keptFitOf: decision.fitBuild };
  }
  input.log(`refitting: ${decision.reason}`);
  const rows = await readSample(db, input.features, settings);
  if (rows.length === 0) {
    if (!domain.tolerant) throw new StrataError(`${domain.model}: ${table} is empty, so there is nothing to segment`);
    const none: FeatureTransform = { features: [], log1p: [], mean: [], sd: [] };
    await writeCentres(db, input.out, withNeutral(none, settings.features), [], 0, input.buildId, { population, purchases: now.purchases, settings });
    input.log(`${table} is empty: no segments`);
    return { k: 0, segments: 0, sampled: 0 };
  }
  const read = performance.now();

  const usable = domain.tolerant ? settings.features.filter((f) => rows.some((r) => Number.isFinite(r[f]))) : settings.features;
  const left = settings.features.filter((f) => !usable.includes(f));
  if (usable.length === 0) throw new StrataError(`${domain.model}: none of ${settings.features.join(', ')} has a value in ${table}`);
  if (left.length > 0) input.log(`left out of the fit, no values in ${table}: ${left.join(', ')}`);
  const fitted = fitTransform(rows, usable);
  const fit = searchSegments(
    rows.map((r) => applyTransform(fitted, r)),
    { seed: settings.seed, restarts: settings.restarts, ...(settings.k === undefined ? { kRange: settings.kRange } : { k: settings.k }) },
  );
  const done = performance.now();
  const ids = matchSegmentIds(fit.centres, await previousCentres(db, input.published, domain.fits, fitted));
  const original = fit.centres.map((c) => inverseTransform(fitted, c));
  const names = domain.name(original, populationFromTransform(fitted), await nameOverrides(db, input.nameOverrides), ids);

  // every configured feature gets its columns; one left out is neutral (see `tolerant`)
  const transform = withNeutral(fitted, settings.features);
  const segments: Segment[] = fit.centres.map((centre, i) => ({
    id: ids[i]!,
    name: names[i]!,
    size: fit.sizes[i]!,
    centre: transform.features.map((f) => (usable.includes(f) ? centre[usable.indexOf(f)]! : 0)),
    original: original[i]!,
  }));
  await writeCentres(db, input.out, transform, segments, rows.length, input.buildId, { population, purchases: now.purchases, settings });
  await recordFit(db, domain.fits, input.buildId, fitted, fit, rows.length, segments);
  const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
  input.log(
    `k = ${fit.k} (${settings.k === undefined ? `chosen in ${settings.kRange.join('..')}` : 'fixed'}) on ${rows.length} sampled customers: ` +
      `read ${ms(started, read)}, fit ${ms(read, done)}, ids, names and writes ${ms(done, performance.now())}`,
  );
  return { k: fit.k, segments: segments.length, sampled: rows.length };
}

/** The fitted transform extended to every configured feature, those left out neutral (mean 0, sd 1). */
function withNeutral(fitted: FeatureTransform, features: readonly string[]): FeatureTransform {
  const at = (f: string): number => fitted.features.indexOf(f);
  return {
    features,
    log1p: features.map((f) => (at(f) >= 0 ? fitted.log1p[at(f)]! : false)),
    mean: features.map((f) => (at(f) >= 0 ? fitted.mean[at(f)]! : 0)),
    sd: features.map((f) => (at(f) >= 0 ? fitted.sd[at(f)]! : 1)),
  };
}
