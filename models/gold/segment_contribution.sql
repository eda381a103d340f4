-- Gold: how much each segment contributes, for both segmentations side by side.
--   segment_kind 'rfm':    the named RFM segments of customer_rfm; every segment of the rule
--                          table is listed, with 0 customers when none falls in it (rfm_segment_members)
--   segment_kind 'kmeans': the k-means segments of customer_segments
-- Shares are of all customers and all revenue of the same kind, so each kind's shares sum to 1.

with rfm as (

    select
        'rfm'::text                                 as segment_kind,
        m.segment                                   as segment,
        count(m.customer_id)                        as customers,
        coalesce(sum(m.monetary), 0)                as revenue
    from {{ ref('rfm_segment_members') }} as m
    group by m.segment

),

kmeans as (

    select
        'kmeans'::text                              as segment_kind,
        s.segment_name                              as segment,
        count(*)                                    as customers,
        sum(f.monetary)                             as revenue
    from {{ ref('customer_segments') }} as s
    join {{ ref('customer_features') }} as f on f.customer_id = s.customer_id
    group by s.segment_name

),

unioned as (

    select * from rfm
    union all
    select * from kmeans

),

final as (

    select
        segment_kind,
        segment,
        customers,
        customers::numeric / nullif(sum(customers) over (partition by segment_kind), 0)   as customer_share,
        revenue,
        revenue / nullif(sum(revenue) over (partition by segment_kind), 0)                as revenue_share
    from unioned

)

select * from final
