-- Gold: one row per calendar month, from the month of the first purchase to the month that holds
-- the as-of time, with the kpis measured at the end of each month. The as-of time defaults to a
-- day after the latest purchase, which may fall in the next month: that month then has a row,
-- with no orders, so that the last row is always measured at the as-of time.
--   period_end:           the start of the next month, or the as-of time for the month that holds it
--   customers:            customers whose first purchase was in or before the month (the customer base)
--   new_customers:        customers whose first purchase was in the month
--   purchasing_customers: customers with an order in the month
--   active_customers:     customers with an order in the churn_days before period_end
--   churn_rate:           share of the customer base not active at period_end
--   orders, revenue, average_order_value: the orders placed in the month
-- The last month is measured at the as-of time, so its customers, active customers and churn
-- rate equal kpis' (test kpi_monthly_last_month_matches_kpis).
--
-- Every step is a hash join or a group by on the month (no join of every order against every
-- month), so the cost grows with the number of orders, not orders × months.

with orders as (

    select customer_id, ordered_at, order_amount
    from {{ ref('orders') }}

),

customers as (

    select customer_id, first_purchase_at
    from {{ ref('customers') }}

),

as_of as (

    select max(as_of) as as_of from {{ ref('customer_features') }}

),

months as (

    -- up to the month of the last instant before the as-of time, so an as-of time of exactly
    -- midnight on the 1st closes the previous month instead of opening an empty one
    select generate_series(
        date_trunc('month', (select min(ordered_at) from orders)),
        date_trunc('month', a.as_of - interval '1 microsecond'),
        interval '1 month'
    ) as month_start
    from as_of as a

),

periods as (

    select
        m.month_start,
        least(m.month_start + interval '1 month', a.as_of)     as period_end
    from months as m
    cross join as_of as a

),

sales as (

    select
        date_trunc('month', ordered_at)                         as month_start,
        count(*)                                                as orders,
        count(distinct customer_id)                             as purchasing_customers,
        sum(order_amount)                                       as revenue
    from orders
    group by 1

),

acquisitions as (

    select
        date_trunc('month', first_purchase_at)                  as month_start,
        count(*)                                                as new_customers
    from customers
    group by 1

),

customer_months as (

    -- each customer's latest order in each month they ordered: the order that keeps them
    -- active longest into the following months
    select
        customer_id,
        date_trunc('month', ordered_at)                         as month_start,
        max(ordered_at)                                         as last_ordered_at
    from orders
    group by 1, 2

),

activity as (

    -- the months at whose end that order lies within churn_days: it is at or before
    -- period_end and less than churn_days before it
    select
        p.month_start,
        count(distinct cm.customer_id)                          as active_customers
    from customer_months as cm
    cross join lateral generate_series(
        cm.month_start,
        cm.last_ordered_at + make_interval(days => {{ var('churn_days', 90) }}),
        interval '1 month'
    ) as reached (month_start)
    join periods as p on p.month_start = reached.month_start
    where cm.last_ordered_at <= p.period_end
      and cm.last_ordered_at > p.period_end - make_interval(days => {{ var('churn_days', 90) }})
    group by p.month_start

),

final as (

    select
        p.month_start::date                                             as month,
        p.period_end,
        sum(coalesce(n.new_customers, 0)) over (order by p.month_start) as customers,
        coalesce(n.new_customers, 0)                                    as new_customers,
        coalesce(s.purchasing_customers, 0)                             as purchasing_customers,
        coalesce(a.active_customers, 0)                                 as active_customers,
        sum(coalesce(n.new_customers, 0)) over (order by p.month_start)
            - coalesce(a.active_customers, 0)                           as churned_customers,
        coalesce(s.orders, 0)                                           as orders,
        coalesce(s.revenue, 0)                                          as revenue,
        round(s.revenue / nullif(s.orders, 0), 2)                       as average_order_value
    from periods as p
    left join sales as s on s.month_start = p.month_start
    left join acquisitions as n on n.month_start = p.month_start
    left join activity as a on a.month_start = p.month_start

)

select
    month,
    period_end,
    customers,
    new_customers,
    purchasing_customers,
    active_customers,
    churned_customers,
    round(churned_customers::numeric / nullif(customers, 0), 4)        as churn_rate,
    orders,
    revenue,
    average_order_value
from final
