{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}
{#- No default here: the project's vars set segment_features (schema.yml), the same value the
    TypeScript model segment_centres fits on; a second default list could drift from that one
    (scripts/segment/pipeline/settings.ts), so a project without the var fails to compile instead. #}
{%- set features = var('segment_features') %}

-- Gold: every customer's k-means segment, the nearest centre of segment_centres.
--
-- The TypeScript model segment_centres fits the centres on a sample; here SQL applies the same
-- arithmetic as scripts/segment (applyTransform, nearestCentreSql) to every customer, so the
-- fitted sample and the rest are treated alike (tests/integration/segments-model.test.ts checks
-- the two agree). The arithmetic is the macro nearest_centre (macros/nearest_centre.sql), shared
-- with traveler_segments: standardise each feature of var segment_features as the fit did, then
-- take the centre with the smallest squared Euclidean distance, ties to the lower segment_id.

{{ nearest_centre(features, ref('segment_centres'), ref('customer_features')) }}
