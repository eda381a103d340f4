import { defineModel } from '../../scripts/core/ts-model.ts';
import { runSegmentModel, type SegmentDomain } from '../../scripts/segment/pipeline/run.ts';
import { nameTravellerSegments } from '../../scripts/segment/travel-names.ts';

/**
 * Gold: traveller segments, one row per segment: the same k-means step as segment_centres
 * (sample, transform, choice of k, stable ids; scripts/segment/pipeline/) on
 * gold.traveler_features, named in the case study's words (scripts/segment/travel-names.ts) with
 * overrides from seed traveler_segment_name_overrides. Fits go to
 * strata_meta.traveler_segment_fits. traveler_segments.sql assigns every traveller.
 *
 * Empty (no rows, every column) when no TravelTide data is loaded. A feature with no value at
 * all (the session features on the real extract, which has no sessions) is left out of the fit
 * and written as a neutral column, so the same feature list serves data with and without sessions.
 *
 * Vars (segment_seed, segment_sample and segment_restarts are shared with segment_centres):
 *   traveler_segment_features  TRAVELER_SEGMENT_FEATURES below
 *   traveler_segment_k         null (choose k)  or a fixed number of segments
 *   traveler_segment_k_range   [3, 8] (else segment_k_range)
 */
export const TRAVELER_SEGMENT_FEATURES = [
  'trips',
  'total_spend',
  'avg_seats_per_flight',
  'avg_rooms_per_stay',
  'avg_nights_per_stay',
  'avg_bags_per_flight',
  'avg_days_booked_ahead',
  'weekend_trip_share',
  'avg_page_clicks',
  'discount_booking_share',
  'cancellation_rate',
] as const;

export const TRAVELER_SEGMENTS: SegmentDomain = {
  model: 'traveler_segment_centres',
  vars: {
    prefix: 'traveler_',
    table: 'traveler_features',
    defaults: { features: TRAVELER_SEGMENT_FEATURES, k: null, kRange: [3, 8], seed: 42, sample: 10_000, restarts: 10 },
  },
  overrides: 'traveler_segment_name_overrides',
  // each traveller's booked trips: with the travellers, what the refit rule watches (docs/models.md, "Refitting")
  purchases: 'trips',
  fits: { schema: 'strata_meta', name: 'traveler_segment_fits' },
  name: nameTravellerSegments,
  // no TravelTide data loaded, or an extract without sessions, still builds (see above)
  tolerant: true,
};

export default defineModel({
  dependsOn: [TRAVELER_SEGMENTS.vars.table, TRAVELER_SEGMENTS.overrides],
  description: 'k-means traveller segment centres fitted on a deterministic sample of traveler_features.',
  run: (ctx) => runSegmentModel(ctx, TRAVELER_SEGMENTS),
});
