import { defineModel } from '../../scripts/core/ts-model.ts';
import { nameSegments } from '../../scripts/segment/index.ts';
import { readSegmentSettings, runSegmentModel, type SegmentSettings } from '../../scripts/segment/model-run.ts';

export { MAX_SAMPLE, MIN_RESTARTS, type SegmentSettings } from '../../scripts/segment/model-run.ts';

/**
 * Gold: the k-means segments, one row per segment. Fits on a deterministic sample of
 * customer_features (docs/segments.md), keeps segment ids stable against the published centres,
 * names the segments, and records the fit in strata_meta.segment_fits. customer_segments.sql
 * then assigns every customer in SQL from the columns written here. The steps are
 * scripts/segment/model-run.ts, shared with traveler_segment_centres.
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

export default defineModel({
  dependsOn: ['customer_features', 'segment_name_overrides'],
  description: 'k-means segment centres fitted on a deterministic sample of customer_features.',
  run: (ctx) =>
    runSegmentModel(ctx, {
      features: 'customer_features',
      overrides: 'segment_name_overrides',
      self: 'segment_centres',
      fitsTable: 'strata_meta.segment_fits',
      settings: segmentSettings(ctx.vars),
      featuresVar: 'segment_features',
      name: nameSegments,
      tolerant: false,
    }),
});

/** Reads and checks the segment vars; a bad value is a UsageError naming the var. */
export function segmentSettings(vars: Readonly<Record<string, unknown>>): SegmentSettings {
  const d = SEGMENT_VAR_DEFAULTS;
  return readSegmentSettings(vars, {
    features: d.segment_features,
    k: d.segment_k,
    kRange: d.segment_k_range,
    seed: d.segment_seed,
    sample: d.segment_sample,
    restarts: d.segment_restarts,
  });
}
