-- Gold: one row per k-means segment (customer_segments), describing who is in it: how many
-- customers, their share of all customers and of revenue, and the mean and median of every
-- customer feature, so a marketer can read what each segment is.
-- Means and medians are over the segment's customers; avg_days_between_orders only over those
-- with two or more orders (it is empty for one-order customers).

-- the profiled features and the decimals their mean and median are rounded to
{% set profiled = [
    ['recency_days', 2], ['frequency', 2], ['monetary', 2], ['avg_order_value', 2], ['tenure_days', 2],
    ['avg_days_between_orders', 2], ['distinct_products', 2], ['return_rate', 4]
] %}

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
{%- for feature, digits in profiled %}
        round(avg({{ feature }}), {{ digits }})    as mean_{{ feature }},
        percentile_cont(0.5) within group (order by {{ feature }})    as median_{{ feature }}{{ ',' if not loop.last }}
{%- endfor %}

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
{%- for feature, digits in profiled %}
        p.mean_{{ feature }},
        round(p.median_{{ feature }}::numeric, {{ digits }})    as median_{{ feature }}{{ ',' if not loop.last }}
{%- endfor %}
    from profiles as p
    cross join totals as t

)

select * from final
