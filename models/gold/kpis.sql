-- Gold: the headline numbers, one row, as of the as-of time of customer_features.
--   active customer: bought within churn_days (var, default 90) before the as-of time
--   churn rate:      share of customers who are not active
--   revenue, orders: all purchases (silver rules applied), so revenue here equals silver's
-- kpi_monthly has the same measures per calendar month; its last row equals this one.

with features as (

    select * from {{ ref('customer_features') }}

),

totals as (

    select
        max(as_of)                                  as as_of,
        count(*)                                    as customers,
        count(*) filter (where is_active)           as active_customers,
        sum(frequency)                              as orders,
        sum(monetary)                               as revenue
    from features

),

final as (

    select
        as_of,
        {{ var('churn_days', 90) }}::integer                          as churn_days,
        customers,
        active_customers,
        customers - active_customers                                  as churned_customers,
        round((customers - active_customers)::numeric / nullif(customers, 0), 4)
                                                                      as churn_rate,
        orders,
        revenue,
        round(revenue / nullif(orders, 0), 2)                         as average_order_value
    from totals

)

select * from final
