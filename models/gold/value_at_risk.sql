-- Gold: the value expected to be lost to churn, per segment, for both segmentations side by side
-- and for all customers:
--   segment_kind 'rfm':    the named RFM segments (every segment of the rule table, with 0
--                          customers when none falls in it: rfm_segment_members)
--   segment_kind 'kmeans': the k-means segments
--   segment_kind 'all':    one row, every customer
-- Each kind sums over every customer once, so each kind's totals are the same (singular test
-- clv_value_at_risk_reconciles).
--
-- value_at_risk   Σ churn_probability × clv_12m, the measure retention_priorities ranks by.
-- do_nothing_loss the "do nothing" scenario: the value lost over the horizon if no customer is
--                 retained, i.e. if nobody wins back the customers who have already stopped
--                 buying. A customer still active would bring clv_12m_if_active over the
--                 horizon; she is active with probability P(alive), so doing nothing loses
--                 (1 − P(alive)) × clv_12m_if_active = clv_12m_if_active − clv_12m in
--                 expectation. Summed, it is the gap between the segment's value if every
--                 customer were still active (clv_12m_if_all_active) and its expected value
--                 (expected_clv_12m): what perfect retention would be worth. It is summed as
--                 Σ churn_probability × clv_12m_if_active rather than taken as that difference,
--                 which cancels catastrophically when almost every customer is active.
-- value_unit      the unit of the row's values (seed value_units, by the customers' sources):
--                 one unit when the database holds one business; when sources with different
--                 units share it, their values are added and the row says so ('mixed'), and
--                 the test gold_mixes_value_units warns (docs/clv.md, "Value units").

with clv as (

    select * from {{ ref('customer_clv') }}

),

rfm as (

    select
        'rfm'::text                                         as segment_kind,
        m.segment                                           as segment,
        count(c.customer_id)                                as customers,
        coalesce(sum(c.clv_12m), 0)                         as expected_clv_12m,
        coalesce(sum(c.clv_12m_if_active), 0)               as clv_12m_if_all_active,
        coalesce(sum(c.churn_probability * c.clv_12m), 0)   as value_at_risk,
        coalesce(sum(c.churn_probability * c.clv_12m_if_active), 0)
                                                            as do_nothing_loss,
        avg(c.churn_probability)                            as mean_churn_probability,
        {{ value_units('c.value_unit') }}                   as value_unit
    from {{ ref('rfm_segment_members') }} as m
    left join clv as c on c.customer_id = m.customer_id
    group by m.segment

),

kmeans as (

    select
        'kmeans'::text                                      as segment_kind,
        s.segment_name                                      as segment,
        count(*)                                            as customers,
        sum(c.clv_12m)                                      as expected_clv_12m,
        sum(c.clv_12m_if_active)                            as clv_12m_if_all_active,
        sum(c.churn_probability * c.clv_12m)                as value_at_risk,
        sum(c.churn_probability * c.clv_12m_if_active)      as do_nothing_loss,
        avg(c.churn_probability)                            as mean_churn_probability,
        {{ value_units('c.value_unit') }}                   as value_unit
    from {{ ref('customer_segments') }} as s
    join clv as c on c.customer_id = s.customer_id
    group by s.segment_name

),

everyone as (

    select
        'all'::text                                         as segment_kind,
        'All customers'::text                               as segment,
        count(*)                                            as customers,
        coalesce(sum(clv_12m), 0)                           as expected_clv_12m,
        coalesce(sum(clv_12m_if_active), 0)                 as clv_12m_if_all_active,
        coalesce(sum(churn_probability * clv_12m), 0)       as value_at_risk,
        coalesce(sum(churn_probability * clv_12m_if_active), 0)
                                                            as do_nothing_loss,
        avg(churn_probability)                              as mean_churn_probability,
        {{ value_units('value_unit') }}                     as value_unit
    from clv

),

unioned as (

    select * from rfm
    union all
    select * from kmeans
    union all
    select * from everyone

),

final as (

    select
        segment_kind,
        segment,
        customers,
        expected_clv_12m,
        clv_12m_if_all_active,
        value_at_risk,
        do_nothing_loss,
        mean_churn_probability,
        value_at_risk / nullif(sum(value_at_risk) over (partition by segment_kind), 0)
                                                                                    as value_at_risk_share,
        value_unit
    from unioned

)

select * from final
