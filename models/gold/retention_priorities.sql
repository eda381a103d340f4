{{
    config(
        indexes=[
            {'columns': ['customer_id'], 'unique': true},
            {'columns': ['rank'], 'unique': true}
        ]
    )
}}

-- Gold: customers in the order they are most worth saving. value_at_risk = churn_probability ×
-- clv_12m: the value a customer is expected to bring over the horizon, weighted by how unsure it
-- is that she is still a customer. It is highest for customers who are both valuable and at real
-- risk; a customer certainly active (churn ≈ 0) needs no saving, and one almost surely gone
-- (P(alive) ≈ 0, so clv_12m ≈ 0) is not worth the effort. Rank 1 is the most value at risk; ties
-- go to the lower customer_id, so the ranking is stable.

with clv as (

    select * from {{ ref('customer_clv') }}

),

rfm as (

    select customer_id, rfm_segment, recency_days, frequency, monetary
    from {{ ref('customer_rfm') }}

),

segments as (

    select customer_id, segment_id, segment_name
    from {{ ref('customer_segments') }}

),

at_risk as (

    select
        c.customer_id,
        c.churn_probability * c.clv_12m                 as value_at_risk,
        c.churn_probability,
        c.p_alive,
        c.clv_12m,
        c.expected_purchases_90d,
        c.expected_avg_order_value,
        c.value_unit,

        -- who they are
        r.rfm_segment,
        s.segment_id,
        s.segment_name                                  as kmeans_segment,
        r.recency_days,
        r.frequency,
        r.monetary
    from clv as c
    join rfm as r on r.customer_id = c.customer_id
    join segments as s on s.customer_id = c.customer_id

),

final as (

    select
        row_number() over (order by value_at_risk desc, customer_id)   as rank,
        *
    from at_risk

)

select * from final
