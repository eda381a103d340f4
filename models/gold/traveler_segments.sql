{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}
{%- set features = var('traveler_segment_features', ['trips', 'total_spend', 'avg_seats_per_flight', 'avg_rooms_per_stay', 'avg_nights_per_stay', 'avg_bags_per_flight', 'avg_days_booked_ahead', 'weekend_trip_share', 'avg_page_clicks', 'discount_booking_share', 'cancellation_rate']) %}

-- Gold: every traveller's segment, the nearest centre of traveler_segment_centres (fitted on
-- traveler_features by the same k-means step as customer segments). The same columns as
-- customer_segments, one row per traveller of traveler_features, plus user_id: BI tools read
-- traveller segments here and customer (RFM-style) segments in customer_segments, with one
-- contract for both. Empty when no TravelTide data is loaded.
-- The default feature list must equal TRAVELER_SEGMENT_FEATURES in traveler_segment_centres.ts
-- (a test checks it); var traveler_segment_features overrides both.

with assigned as (

    {{ nearest_centre(features, ref('traveler_segment_centres'), ref('traveler_features')) | indent(4) }}

),

final as (

    select a.customer_id, f.user_id, a.segment_id, a.segment_name, a.distance
    from assigned as a
    join {{ ref('traveler_features') }} as f on f.customer_id = a.customer_id

)

select * from final
