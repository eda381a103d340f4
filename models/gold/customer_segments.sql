{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}
{%- set features = var('segment_features', ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'distinct_products', 'return_rate']) %}

-- Gold: every customer's k-means segment, the nearest centre of segment_centres.
--
-- The TypeScript model segment_centres fits the centres on a sample; here SQL applies the same
-- arithmetic as scripts/segment (applyTransform, nearestCentreSql) to every customer, so the
-- fitted sample and the rest are treated alike (tests/integration/segments-model.test.ts checks
-- the two agree). The arithmetic is the macro nearest_centre (macros/nearest_centre.sql), shared
-- with traveler_segments: standardise each feature of var segment_features as the fit did, then
-- take the centre with the smallest squared Euclidean distance, ties to the lower segment_id.

{{ nearest_centre(features, ref('segment_centres'), ref('customer_features')) }}
