{{ config(materialized='ephemeral') }}

-- Gold (ephemeral, inlined where it is read): every named RFM segment of the rule table with its
-- customers. A segment no customer falls in keeps one row with a null customer_id, so a count of
-- customer_id over it is 0 and the segment is still listed. segment_contribution and
-- value_at_risk read their RFM side from here, so "every segment, including empty ones" is
-- written once.

with rfm_segments as (

    select distinct segment
    from {{ ref('rfm_segment_rules') }}

),

final as (

    select
        s.segment                                   as segment,
        c.customer_id                               as customer_id,
        c.monetary                                  as monetary
    from rfm_segments as s
    left join {{ ref('customer_rfm') }} as c on c.rfm_segment = s.segment

)

select * from final
