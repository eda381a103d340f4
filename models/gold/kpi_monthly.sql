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
-- Incremental (delete+insert on month): each column but period_end and last_batch_id is a sum
-- over customers of what one customer contributes to the month (her orders and revenue in it;
-- 1 if she ordered in it, was acquired in it or before it, or had an order in the churn_days
-- before its period_end). A new batch changes only the contributions of the customers it
-- touched, so a build adds to each kept month the difference between their contributions now
-- and when the kept row was computed, and reads only those customers' orders (by index), however
-- many months they span: the cost grows with the batch, not with history, and distinct counts
-- stay exact (a customer counts once per month on each side). The contributions of before are
-- those of the orders as the published build saw them: the orders no newer than the watermark,
-- and the changed orders' lines up to it (an order only gains lines while no batch is retracted).
-- Months whose period_end changes are recomputed from the orders instead, as is everything when
-- the difference method does not apply:
--   - the months from the one holding the as-of time before or after it moved (their
--     period_end, and so their churn window, changes; months after a new as-of time appear or
--     vanish): every order within churn_days before them is read;
--   - every month while a retracted batch is pending (its orders may leave any month: rare, and
--     recomputing all months is simple and exact), when the table is empty, or when a new order
--     falls before the first kept month (months appear before every kept row).
-- Months before the first recomputed one keep their rows plus the differences; the customer base
-- carries over from the last of them. Months that no longer exist (as-of time moved back) are
-- removed by tombstones. The result equals a full rebuild (tested in
-- tests/integration/incremental-gold.test.ts, retract.test.ts and online-retail.test.ts).
-- A change of the var churn_days changes every month: build with --full-refresh then.

with

as_of as (

    select max(as_of) as as_of from {{ ref('customer_features') }}

),

{% if is_incremental() %}
previous as (

    -- the as-of time of the last build and its first month
    select max(period_end) as as_of, min(month) as first_month
    from {{ this }}

),

changed_orders as (

    -- the orders newer than any batch this table has seen (the watermark), through the index on
    -- last_batch_id
    select invoice_no, customer_id, ordered_at
    from {{ ref('orders') }}
    where last_batch_id > {{ watermark('last_batch_id') }}

),

recompute_from as (

    select case
        when (select first_month from previous) is null
          or exists (select 1 from {{ ref('pending_retractions') }})
          or (select min(ordered_at) from changed_orders) < (select first_month from previous)
            then '-infinity'::timestamp
        when (select as_of from previous) is distinct from (select as_of from as_of)
            then date_trunc('month', least((select as_of from previous), (select as_of from as_of)) - interval '1 microsecond')
        -- the as-of time did not move: every month is kept, with the differences
        else 'infinity'::timestamp
    end as month_start

),

-- the difference method, for the months before recompute_from

earlier_versions as (

    -- the changed orders as the published build counted them: their lines up to the watermark
    -- (none for a new order), aggregated as orders aggregates them
    select
        invoice_no,
        min(customer_id)                as customer_id,
        min(invoiced_at)                as ordered_at,
        sum(line_amount)                as order_amount
    from {{ ref('order_lines') }}
    -- the changed orders' invoices as a literal array (a marked value; the watermark inside it is
    -- written in first): `= any` of a constant array is a hash look-up, of a sub-select's array a
    -- comparison with each element in turn for every line read (models/silver/orders.sql)
    where invoice_no = any (/*strata:value*/(select coalesce(array_agg(c.invoice_no), '{}'::text[]) from {{ ref('orders') }} as c where c.last_batch_id > {{ watermark('last_batch_id') }})/*strata:end*/)
      and batch_id <= {{ watermark('last_batch_id') }}
    group by invoice_no

),

contributing_orders as (

    -- +1: the changed customers' orders now; -1: their orders as the published build saw them.
    -- One customer per invoice (silver_invoice_has_one_customer), so a changed order's customer
    -- is the same before and now. A semi-join, not `= any (array(…))`: orders is a table with an
    -- index on customer_id, so the planner probes it per customer or hashes, never compares
    -- every order with every element of a large array (a batch of a new source's members)
    select 1 as sign, customer_id, ordered_at, order_amount, last_batch_id
    from {{ ref('orders') }}
    where customer_id in (select customer_id from changed_orders)
    union all
    select -1, customer_id, ordered_at, order_amount, null
    from {{ ref('orders') }}
    where customer_id in (select customer_id from changed_orders)
      and last_batch_id <= {{ watermark('last_batch_id') }}
    union all
    select -1, customer_id, ordered_at, order_amount, null
    from earlier_versions

),

changed_customer_months as (

    select
        sign,
        customer_id,
        date_trunc('month', ordered_at)                         as month_start,
        count(*)                                                as orders,
        sum(order_amount)                                       as revenue,
        max(ordered_at)                                         as last_ordered_at,
        max(last_batch_id)                                      as last_batch_id
    from contributing_orders
    group by 1, 2, 3

),

changed_firsts as (

    -- each changed customer's first month, as it is (+1) and as it was (-1)
    select sign, min(month_start) as month_start
    from changed_customer_months
    group by sign, customer_id

),

kept as (

    -- the kept months a changed customer can contribute to; their period_end does not change
    select *
    from {{ this }}
    where month < (select month_start from recompute_from)
      and month >= (select min(month_start) from changed_customer_months)

),

sales_changes as (

    select
        k.month,
        sum(c.sign * c.orders)                                  as orders,
        sum(c.sign * c.revenue)                                 as revenue,
        sum(c.sign)                                             as purchasing_customers,
        max(c.last_batch_id)                                    as last_batch_id
    from kept as k
    join changed_customer_months as c on c.month_start = k.month
    group by k.month

),

activity_changes as (

    -- as activity below, for each side: a customer counts once in a month she is active in
    select month, sum(sign) as active_customers
    from (
        select distinct c.sign, c.customer_id, k.month
        from changed_customer_months as c
        cross join lateral generate_series(
            c.month_start,
            c.last_ordered_at + make_interval(days => {{ var('churn_days', 90) }}),
            interval '1 month'
        ) as reached (month_start)
        join kept as k on k.month = reached.month_start::date
        where c.last_ordered_at <= k.period_end
          and c.last_ordered_at > k.period_end - make_interval(days => {{ var('churn_days', 90) }})
    ) as active
    group by month

),

left_months as (

    -- months a changed order left (lines with an earlier date joined it): their newest batch
    -- may have been that order's, so it is read again from the month's orders
    select distinct date_trunc('month', e.ordered_at)::date as month
    from earlier_versions as e
    join changed_orders as o on o.invoice_no = e.invoice_no
    where date_trunc('month', e.ordered_at) <> date_trunc('month', o.ordered_at)

),

differences as (

    select
        k.month,
        k.period_end,
        k.customers + coalesce((select sum(f.sign) from changed_firsts as f where f.month_start <= k.month), 0)
                                                                as customers,
        (k.new_customers + coalesce((select sum(f.sign) from changed_firsts as f where f.month_start = k.month), 0))::bigint
                                                                as new_customers,
        (k.purchasing_customers + coalesce(s.purchasing_customers, 0))::bigint as purchasing_customers,
        (k.active_customers + coalesce(a.active_customers, 0))::bigint as active_customers,
        (k.orders + coalesce(s.orders, 0))::bigint              as orders,
        k.revenue + coalesce(s.revenue, 0)                      as revenue,
        case
            when k.month in (select month from left_months) then (
                select max(o.last_batch_id) from {{ ref('orders') }} as o
                where o.ordered_at >= k.month and o.ordered_at < k.month + interval '1 month')
            else greatest(k.last_batch_id, s.last_batch_id)
        end                                                     as last_batch_id
    from kept as k
    left join sales_changes as s on s.month = k.month
    left join activity_changes as a on a.month = k.month

),

base as (

    -- the customer base at the end of the last month kept: customers acquired before the first
    -- recomputed month, with the changed customers' differences
    select coalesce((
        select kept.customers from {{ this }} as kept
        where kept.month = ((select month_start from recompute_from) - interval '1 month')::date
    ), 0)
    + coalesce((
        select sum(f.sign) from changed_firsts as f
        where f.month_start < (select month_start from recompute_from)
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

-- the kept months with the changed customers' differences (the same columns and types)
select
    month,
    period_end,
    customers,
    new_customers,
    purchasing_customers,
    active_customers,
    customers - active_customers                                       as churned_customers,
    round((customers - active_customers)::numeric / nullif(customers, 0), 4) as churn_rate,
    orders,
    -- a month left without orders has revenue 0, as a full build writes it
    case when orders = 0 then 0 else revenue end                       as revenue,
    round(revenue / nullif(orders, 0), 2)                              as average_order_value,
    last_batch_id,
    false
from differences

union all

-- a kept month at or after the first recomputed one that no longer exists (the as-of time moved
-- back): a row that only deletes (tombstone_column)
select
    kept.month, null, null, null, null, null, null, null, null, null, null, null, true
from {{ this }} as kept
where kept.month >= (select month_start from recompute_from)
  and kept.month not in (select month from final)
{% endif %}
