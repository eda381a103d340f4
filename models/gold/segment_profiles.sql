-- Gold: one row per k-means segment (customer_segments), describing who is in it: how many
-- customers, their share of all customers and of revenue, and the mean and median of every
-- customer feature, so a marketer can read what each segment is.
-- Means and medians are over the segment's customers; avg_days_between_orders only over those
-- with two or more orders (it is empty for one-order customers).

with segments as (

    select customer_id, segment_id, segment_name
    from {{ ref('customer_segments') }}

),

features as (

    select * from {{ ref('customer_features') }}

),

segmented as (

    select s.segment_id, s.segment_name, f.*
    from segments as s
    join features as f on f.customer_id = s.customer_id

),

totals as (

    select count(*) as customers, sum(monetary) as revenue
    from segmented

),

profiles as (

    select
        segment_id,
        segment_name,

        -- size and value
        count(*)                                                                as customers,
        sum(monetary)                                                           as revenue,

        -- means and medians of each feature
        round(avg(recency_days), 2)                                             as mean_recency_days,
        percentile_cont(0.5) within group (order by recency_days)               as median_recency_days,
        round(avg(frequency), 2)                                                as mean_frequency,
        percentile_cont(0.5) within group (order by frequency)                  as median_frequency,
        round(avg(monetary), 2)                                                 as mean_monetary,
        percentile_cont(0.5) within group (order by monetary)                   as median_monetary,
        round(avg(avg_order_value), 2)                                          as mean_avg_order_value,
        percentile_cont(0.5) within group (order by avg_order_value)            as median_avg_order_value,
        round(avg(tenure_days), 2)                                              as mean_tenure_days,
        percentile_cont(0.5) within group (order by tenure_days)                as median_tenure_days,
        round(avg(avg_days_between_orders), 2)                                  as mean_avg_days_between_orders,
        percentile_cont(0.5) within group (order by avg_days_between_orders)    as median_avg_days_between_orders,
        round(avg(distinct_products), 2)                                        as mean_distinct_products,
        percentile_cont(0.5) within group (order by distinct_products)          as median_distinct_products,
        round(avg(return_rate), 4)                                              as mean_return_rate,
        percentile_cont(0.5) within group (order by return_rate)                as median_return_rate

    from segmented
    group by segment_id, segment_name

),

final as (

    select
        p.segment_id,
        p.segment_name,
        p.customers,
        p.customers::numeric / t.customers                  as customer_share,
        p.revenue,
        p.revenue / nullif(t.revenue, 0)                    as revenue_share,
        p.mean_recency_days,
        round(p.median_recency_days::numeric, 2)            as median_recency_days,
        p.mean_frequency,
        round(p.median_frequency::numeric, 2)               as median_frequency,
        p.mean_monetary,
        round(p.median_monetary::numeric, 2)                as median_monetary,
        p.mean_avg_order_value,
        round(p.median_avg_order_value::numeric, 2)         as median_avg_order_value,
        p.mean_tenure_days,
        round(p.median_tenure_days::numeric, 2)             as median_tenure_days,
        p.mean_avg_days_between_orders,
        round(p.median_avg_days_between_orders::numeric, 2) as median_avg_days_between_orders,
        p.mean_distinct_products,
        round(p.median_distinct_products::numeric, 2)       as median_distinct_products,
        p.mean_return_rate,
        round(p.median_return_rate::numeric, 4)             as median_return_rate
    from profiles as p
    cross join totals as t

)

select * from final
