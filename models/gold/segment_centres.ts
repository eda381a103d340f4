import { defineModel } from '../../scripts/core/ts-model.ts';
import { runSegmentCentres } from '../../scripts/segment/pipeline/run.ts';
import { segmentSettings } from '../../scripts/segment/pipeline/settings.ts';

/**
 * Gold: the k-means segments, one row per segment. Fits on a deterministic sample of
 * customer_features (docs/segments.md), keeps segment ids stable against the published centres,
 * names the segments, and records the fit in strata_meta.segment_fits. customer_segments.sql
 * then assigns every customer in SQL from the columns written here.
 *
 * Vars segment_features, segment_k, segment_k_range, segment_seed, segment_sample,
 * segment_restarts: defaults and rules in scripts/segment/pipeline/settings.ts.
 */
export default defineModel({
  dependsOn: ['customer_features', 'segment_name_overrides'],
  description: 'k-means segment centres fitted on a deterministic sample of customer_features.',
  async run(ctx) {
    const result = await runSegmentCentres({
      db: ctx.db,
      features: ctx.ref('customer_features'),
      nameOverrides: ctx.ref('segment_name_overrides'),
      published: ctx.published('segment_centres'),
      out: ctx.this,
      settings: segmentSettings(ctx.vars),
      buildId: ctx.buildId,
      log: ctx.log,
    });
    return { rows: result.segments };
  },
});
