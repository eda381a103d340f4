import { defineModel } from '../../scripts/core/ts-model.ts';
import { nameSegments } from '../../scripts/segment/namer.ts';
import { runSegmentModel, type SegmentDomain } from '../../scripts/segment/pipeline/run.ts';
import { CUSTOMER_SEGMENT_VARS } from '../../scripts/segment/pipeline/settings.ts';

/**
 * Gold: the k-means segments, one row per segment. Fits on a deterministic sample of
 * customer_features (docs/segments.md), keeps segment ids stable against the published centres,
 * names the segments, and records the fit in strata_meta.segment_fits. customer_segments.sql
 * then assigns every customer in SQL from the columns written here.
 *
 * Vars segment_features, segment_k, segment_k_range, segment_seed, segment_sample,
 * segment_restarts: defaults and rules in scripts/segment/pipeline/settings.ts.
 */
export const CUSTOMER_SEGMENTS: SegmentDomain = {
  model: 'segment_centres',
  vars: CUSTOMER_SEGMENT_VARS,
  overrides: 'segment_name_overrides',
  // each customer's orders: with the customers, what the refit rule watches (docs/models.md, "Refitting")
  purchases: 'frequency',
  fits: { schema: 'strata_meta', name: 'segment_fits' },
  name: nameSegments,
  // customer_features always has rows and values in a built project: anything else is an error
  tolerant: false,
};

export default defineModel({
  dependsOn: [CUSTOMER_SEGMENTS.vars.table, CUSTOMER_SEGMENTS.overrides],
  description: 'k-means segment centres fitted on a deterministic sample of customer_features.',
  run: (ctx) => runSegmentModel(ctx, CUSTOMER_SEGMENTS),
});
