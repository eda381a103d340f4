-- Gold must account for exactly what silver holds: the same customers, orders and revenue in
-- every gold table that reports them as in the silver models they come from. Returns one row per
-- measure that disagrees. Revenue is compared exactly (numeric sums, no rounding).
-- Silver's revenue is its orders' (silver_orders_total_their_lines checks that they total their
-- lines exactly): summing the lines here made Citus copy every purchase line into an intermediate
-- result, because the statement also reads the distributed customer tables (docs/scale-out.md).

with silver as (

    select
        (select count(*) from {{ ref('customers') }})                       as customers,
        (select count(*) from {{ ref('orders') }})                          as orders,
        (select sum(order_amount) from {{ ref('orders') }})                 as revenue

),

gold as (

    select 'customer_features'::text as model,
           count(*) as customers, sum(frequency) as orders, sum(monetary) as revenue
    from {{ ref('customer_features') }}
    union all
    select 'customer_rfm', count(*), sum(frequency), sum(monetary)
    from {{ ref('customer_rfm') }}
    union all
    select 'kpis', sum(customers), sum(orders), sum(revenue)
    from {{ ref('kpis') }}
    union all
    select 'kpi_monthly', null, sum(orders), sum(revenue)
    from {{ ref('kpi_monthly') }}
    union all
    select 'segment_contribution ' || segment_kind, sum(customers), null, sum(revenue)
    from {{ ref('segment_contribution') }}
    group by segment_kind

)

select
    g.model,
    s.customers as silver_customers, g.customers as gold_customers,
    s.orders    as silver_orders,    g.orders    as gold_orders,
    s.revenue   as silver_revenue,   g.revenue   as gold_revenue
from gold as g
cross join silver as s
where (g.customers is not null and g.customers <> s.customers)
   or (g.orders is not null and g.orders <> s.orders)
   or g.revenue is distinct from s.revenue
