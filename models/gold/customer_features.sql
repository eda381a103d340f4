{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}

-- Gold: one row per customer, the behavioural features RFM scoring and k-means read.
--
-- The as-of time is the moment recency and tenure are measured from: the var `as_of` when set
-- (e.g. --vars '{as_of: "2011-12-10"}'), else the latest purchase in the data plus one day, so the
-- most recent customer has recency 1 as in the usual RFM practice. The features are lifetime
-- aggregates of all loaded data, not a point-in-time view: an as_of before the latest purchase
-- gives negative recencies, which the tests reject.
--
-- This is a full table on every build, but it only reads silver.customers (one row per customer,
-- maintained incrementally), so a build never re-reads order lines here.

with customers as (

    select * from {{ ref('customers') }}

),

as_of as (

    {% if var('as_of', none) %}
    select cast('{{ var("as_of", none) }}' as timestamp) as as_of
    {% else %}
    select max(last_purchase_at) + interval '1 day' as as_of
    from customers
    {% endif %}

),

features as (

    select
        c.customer_id,
        c.country,

        -- when
        c.first_purchase_at,
        c.last_purchase_at,
        a.as_of,

        -- recency, frequency, monetary
        {{ whole_days('a.as_of', 'c.last_purchase_at') }}       as recency_days,
        c.orders                                                as frequency,
        c.revenue                                               as monetary,

        -- shape of the relationship
        round(c.revenue / c.orders, 2)                          as avg_order_value,
        {{ whole_days('a.as_of', 'c.first_purchase_at') }}      as tenure_days,
        case
            when c.orders > 1 then round(
                extract(epoch from c.last_purchase_at - c.first_purchase_at) / 86400 / (c.orders - 1),
                2
            )
        end                                                     as avg_days_between_orders,
        c.distinct_products,
        round(c.returned_amount / c.revenue, 4)                 as return_rate,

        -- active: bought within churn_days before the as-of time (kpis count these)
        c.last_purchase_at > a.as_of - make_interval(days => {{ var('churn_days', 90) }})
                                                                as is_active

    from customers as c
    cross join as_of as a

)

select * from features
