{{
    config(
        materialized='incremental',
        unique_key='month',
        incremental_strategy='delete+insert',
        tombstone_column='is_tombstone',
        indexes=[
            {'columns': ['month'], 'unique': true}
        ]
    )
}}

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
--
-- Incremental (delete+insert on month): a month's row depends only on the orders up to its end
-- (the churn window looks back from period_end) and on the as-of time when the month holds it.
-- So a build recomputes only the months from the earliest one that can have changed:
--   - the month of the earliest order newer than any batch this table has seen (an order only
--     gains lines, so it can only move to an earlier month; a customer's first purchase only
--     moves to a changed order's month);
--   - the month holding the as-of time, before or after it moved (its period_end changes, and
--     months after a new as-of time appear or vanish);
--   - every month while a retracted batch is pending (its orders may leave any month: rare, and
--     recomputing all months is simple and exact).
-- Months before it keep their rows; the customer base carries over from the last kept month.
-- Months that no longer exist (as-of time moved back) are removed by tombstones. The result
-- equals a full rebuild (tested in tests/integration/retract.test.ts and online-retail.test.ts).
-- A change of the var churn_days changes every month: build with --full-refresh then.

with

as_of as (

    select max(as_of) as as_of from {{ ref('customer_features') }}

),

{% if is_incremental() %}
previous as (

    -- the newest batch with an order here (the watermark) and the as-of time of the last build
    select max(last_batch_id) as last_batch_id, max(period_end) as as_of
    from {{ this }}

),

recompute_from as (

    select coalesce(least(
        (select date_trunc('month', min(ordered_at)) from {{ ref('orders') }}
          where last_batch_id > (select coalesce(last_batch_id, 0) from previous)),
        date_trunc('month', least((select as_of from previous), (select as_of from as_of)) - interval '1 microsecond'),
        case when exists (select 1 from {{ ref('pending_retractions') }}) then '-infinity'::timestamp end
    ), '-infinity'::timestamp) as month_start

),

base as (

    -- the customer base at the end of the last month kept: customers acquired before the first
    -- recomputed month (their first purchases did not change)
    select coalesce((
        select kept.customers from {{ this }} as kept
        where kept.month = ((select month_start from recompute_from) - interval '1 month')::date
    ), 0) as customers

),
{% else %}
recompute_from as (

    select '-infinity'::timestamp as month_start

),

base as (

    select 0::bigint as customers

),
{% endif %}

orders as (

    -- the orders a recomputed month can count: its own, and those within churn_days before it
    select customer_id, ordered_at, order_amount, last_batch_id
    from {{ ref('orders') }}
    where ordered_at > (select month_start from recompute_from) - make_interval(days => {{ var('churn_days', 90) }})

),

customers as (

    -- customers acquired in a recomputed month (earlier ones are in base)
    select customer_id, first_purchase_at
    from {{ ref('customers') }}
    where first_purchase_at >= (select month_start from recompute_from)

),

months as (

    -- up to the month of the last instant before the as-of time, so an as-of time of exactly
    -- midnight on the 1st closes the previous month instead of opening an empty one
    select generate_series(
        greatest(
            date_trunc('month', (select min(ordered_at) from {{ ref('orders') }})),
            (select month_start from recompute_from)
        ),
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
        sum(order_amount)                                       as revenue,
        max(last_batch_id)                                      as last_batch_id
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
        b.customers
            + sum(coalesce(n.new_customers, 0)) over (order by p.month_start) as customers,
        coalesce(n.new_customers, 0)                                    as new_customers,
        coalesce(s.purchasing_customers, 0)                             as purchasing_customers,
        coalesce(a.active_customers, 0)                                 as active_customers,
        b.customers
            + sum(coalesce(n.new_customers, 0)) over (order by p.month_start)
            - coalesce(a.active_customers, 0)                           as churned_customers,
        coalesce(s.orders, 0)                                           as orders,
        coalesce(s.revenue, 0)                                          as revenue,
        round(s.revenue / nullif(s.orders, 0), 2)                       as average_order_value,
        s.last_batch_id
    from periods as p
    cross join base as b
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
    average_order_value,
    last_batch_id{% if is_incremental() %},
    false as is_tombstone{% endif %}
from final
{% if is_incremental() %}

union all

-- a kept month at or after the first recomputed one that no longer exists (the as-of time moved
-- back): a row that only deletes (tombstone_column)
select
    kept.month, null, null, null, null, null, null, null, null, null, null, null, true
from {{ this }} as kept
where kept.month >= (select month_start from recompute_from)
  and kept.month not in (select month from final)
{% endif %}
