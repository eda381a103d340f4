/**
 * The k-means step of a build (the TypeScript model segment_centres): read a deterministic sample
 * of customer_features, fit the feature transform and the segments (k chosen or fixed), keep
 * segment ids stable against the published centres, name the segments, write one row per segment
 * and record the fit in strata_meta.segment_fits. customer_segments.sql then assigns every customer
 * in SQL from the columns written here. Method: docs/segments.md.
 */
import type { Kysely } from 'kysely';
import { StrataError } from '../../core/errors.ts';
import type { Relation } from '../../core/types.ts';
import { matchSegmentIds } from '../match.ts';
import { nameSegments } from '../namer.ts';
import { populationFromTransform } from '../position.ts';
import { searchSegments } from '../search.ts';
import { applyTransform, fitTransform, inverseTransform } from '../transform.ts';
import { checkFeatureColumns, nameOverrides, previousCentres, readSample } from './read.ts';
import type { SegmentSettings } from './settings.ts';
import { recordFit, writeCentres } from './write.ts';

export interface SegmentRunInput {
  readonly db: Kysely<unknown>;
  /** customer_features */
  readonly features: Relation;
  /** the seed segment_name_overrides */
  readonly nameOverrides: Relation;
  /** the published segment_centres, when there is one (for stable ids) */
  readonly published: Relation | undefined;
  /** the centres table to create */
  readonly out: Relation;
  readonly settings: SegmentSettings;
  readonly buildId: number;
  readonly log: (message: string) => void;
}

export interface SegmentRunResult {
  readonly k: number;
  readonly segments: number;
  readonly sampled: number;
}

export async function runSegmentCentres(input: SegmentRunInput): Promise<SegmentRunResult> {
  const { db, settings } = input;
  const started = performance.now();
  await checkFeatureColumns(db, input.features, settings.features);
  const rows = await readSample(db, input.features, settings);
  if (rows.length === 0) throw new StrataError('segment_centres: customer_features is empty, so there is nothing to segment');
  const read = performance.now();

  const transform = fitTransform(rows, settings.features);
  const fit = searchSegments(
    rows.map((r) => applyTransform(transform, r)),
    { seed: settings.seed, restarts: settings.restarts, ...(settings.k === undefined ? { kRange: settings.kRange } : { k: settings.k }) },
  );
  const fitted = performance.now();
  const ids = matchSegmentIds(fit.centres, await previousCentres(db, input.published, transform));
  const original = fit.centres.map((c) => inverseTransform(transform, c));
  const names = nameSegments(original, populationFromTransform(transform), await nameOverrides(db, input.nameOverrides), ids);

  const segments = fit.centres.map((centre, i) => ({
    id: ids[i]!,
    name: names[i]!,
    size: fit.sizes[i]!,
    centre,
    original: original[i]!,
  }));
  await writeCentres(db, input.out, transform, segments, rows.length, input.buildId);
  await recordFit(db, input.buildId, transform, fit, rows.length, segments);
  const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
  input.log(
    `k = ${fit.k} (${settings.k === undefined ? `chosen in ${settings.kRange.join('..')}` : 'fixed'}) on ${rows.length} sampled customers: ` +
      `read ${ms(started, read)}, fit ${ms(read, fitted)}, ids, names and writes ${ms(fitted, performance.now())}`,
  );
  return { k: fit.k, segments: segments.length, sampled: rows.length };
}
