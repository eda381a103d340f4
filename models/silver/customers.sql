{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        tombstone_column='is_tombstone',
        indexes=[
            {'columns': ['customer_id'], 'unique': true},
            {'columns': ['last_batch_id']},
            {'columns': ['first_purchase_at']}
        ]
    )
}}

-- Silver, source-neutral: one row per customer with at least one purchase, holding the lifetime
-- aggregates that do not depend on when they are looked at (first and last purchase, counts,
-- sums). Gold derives recency, tenure and rates from these and the as-of time, so when the as-of
-- time moves nothing here needs recomputing. A customer whose only lines are cancellations or
-- returns (of purchases made before the data begins) is not a customer here.
--
-- Incremental (delete+insert on customer_id): a build recomputes only the customers with purchase
-- or return lines in batches newer than any this table has seen, from all their lines, and
-- replaces their rows; the result equals a full rebuild. The customers of a batch retracted since
-- the last build are recomputed the same way; one left without a purchase is removed (a tombstone).

with

{% if is_incremental() %}
{#- The customers to recompute, as a literal array the runner computes just before the statement
    (a marked value, as in orders.sql, with the watermarks and retracted batches written in
    first): `= any` of a constant array is a hash look-up, of an array from a sub-select a
    comparison with each element in turn. When the airline arrived (20,503 changed customers)
    every line read was compared with each of them: a build of customers alone took 101.9 s,
    5.5 s with the literal (docs/benchmarks.md, session 11). Which:
    new lines, returns, and customer profiles loaded again (order_lines.profile_batch_id: an
    airline member's country), as one subquery, not legs of the union below, so that Citus runs
    each read on the workers with its filter (as orders' changed invoices: docs/scale-out.md);
    and the customers of a batch retracted since the last build. -#}
{%- set changed -%}
/*strata:value*/(select coalesce(array_agg(distinct t.customer_id), '{}'::text[]) from (select customer_id from (select customer_id from {{ ref('order_lines') }} where batch_id > {{ watermark('last_batch_id') }} union all select customer_id from {{ ref('order_lines') }} where profile_batch_id > {{ watermark('last_batch_id') }} union all select customer_id from {{ ref('returns') }} where batch_id > {{ watermark('last_batch_id') }}) as new_lines union select customer_id from {{ ref('retracted_lines') }} where batch_id = any ({{ pending_retraction_batches() }}) and customer_id is not null) as t)/*strata:end*/
{%- endset %}
changed_customers as (

    select unnest({{ changed | trim }}) as customer_id

),
{% endif %}

-- not materialized: invoice_country_lines and products each aggregate the lines where they are read.
-- On Citus, where the lines are distributed by invoice (docs/scale-out.md), each aggregate then
-- runs on the workers and only partial results travel; a CTE read twice is collected whole on the
-- coordinator first (all 414,995 Online Retail purchase lines, 102 MB, and then nested loops over
-- the collected results: 10.9 s against 3.1 s for this statement).
lines as not materialized (

    select * from {{ ref('order_lines') }}
    {% if is_incremental() %}
    -- = any (a literal array), not in (select …): a filter on a value the planner can push into
    -- each leg of the silver views' unions, where it becomes an index scan on customer_id; a
    -- semi-join over the union read every purchase line (Online Retail: 863 → 509 ms for a
    -- 5,419-line batch)
    where customer_id = any ({{ changed | trim }})
    {% endif %}

),

returned_lines as (

    select * from {{ ref('returns') }}
    {% if is_incremental() %}
    where customer_id = any ({{ changed | trim }})
    {% endif %}

),

-- The purchase figures come from the lines themselves, not from orders: this model then does not
-- wait for orders, and the two run side by side (on Online Retail each is about 2 s of the full
-- build's critical path, docs/benchmarks.md, session 7). One pass over the lines groups them by
-- customer, invoice and country; the orders, the purchase totals and the countries are sums over
-- those few groups (18,536 on Online Retail against 391,150 lines). The figures are the ones orders
-- would give: an order is an invoice with a purchase line, its time its first line's, and an
-- invoice has one customer (tested: silver_invoice_has_one_customer, error severity, so a build in
-- which it fails never publishes). Checked against orders in tests/integration/online-retail.test.ts.
invoice_country_lines as (

    select
        customer_id,
        invoice_no,
        country,
        count(*)                as lines,
        sum(quantity)           as items,
        sum(line_amount)        as amount,
        min(invoiced_at)        as first_at,
        max(invoiced_at)        as latest,
        greatest(max(batch_id), max(profile_batch_id)) as last_batch_id
    from lines
    group by customer_id, invoice_no, country

),

invoices as (

    -- one row per order of the customer, as in orders
    select
        customer_id,
        min(first_at)           as ordered_at,
        sum(items)              as items,
        sum(amount)             as amount
    from invoice_country_lines
    group by customer_id, invoice_no

),

order_totals as (

    -- the types are those of the sums over orders (items: a sum of bigint is numeric)
    select
        customer_id,
        min(ordered_at)         as first_purchase_at,
        max(ordered_at)         as last_purchase_at,
        count(*)                as orders,
        sum(items)              as items,
        sum(amount)             as revenue
    from invoices
    group by customer_id

),

line_totals as (

    select
        customer_id,
        sum(lines)::bigint      as order_lines,
        max(last_batch_id)      as last_batch_id
    from invoice_country_lines
    group by customer_id

),

products as (

    -- count(distinct) sorts the purchase lines by customer and product. A hash aggregate per
    -- (customer, product) and then a count is slower once the pairs outgrow work_mem: at 10 M
    -- lines its 4,992,849 pairs spilled in 5 batches and were sorted again, 35.7 s against 7.8 s
    -- (13.2 s against 2.7 s in the embedded server's code point order; docs/benchmarks.md)
    select customer_id, count(distinct stock_code) as distinct_products
    from lines
    group by customer_id

),

country_lines as (

    select customer_id, country, sum(lines)::bigint as lines, max(latest) as latest
    from invoice_country_lines
    group by customer_id, country

),

countries as (

    -- Rule: a customer's country is the country of most of their purchase lines; on a tie, the
    -- country of the latest of those purchases; then alphabetical, so the choice is stable.
    -- (A few Online Retail customers order from two countries.)
    -- The first of an ordered array per customer, not `row_number() … = 1` over a window: the
    -- planner estimates a filtered window at one row. On Citus, where these totals are
    -- intermediate results without statistics, it then joined the other per-customer totals to
    -- that one row in nested loops, customers × customers per join: 23.5 s of the statement for
    -- 4,334 Online Retail customers, and the 10 M-line build did not finish (docs/scale-out.md).
    select
        customer_id,
        (array_agg(country order by lines desc, latest desc, country))[1] as country
    from country_lines
    group by customer_id

),

return_totals as (

    select
        customer_id,
        count(*)                        as returned_lines,
        count(distinct invoice_no)      as return_invoices,
        sum(returned_quantity)          as returned_items,
        sum(returned_amount)            as returned_amount,
        max(batch_id)                   as last_batch_id
    from returned_lines
    group by customer_id

),

final as (

    select
        o.customer_id,
        c.country,

        -- purchases
        o.first_purchase_at,
        o.last_purchase_at,
        o.orders,
        l.order_lines,
        o.items,
        o.revenue,
        p.distinct_products,

        -- cancellations and returns
        coalesce(r.returned_lines, 0)       as returned_lines,
        coalesce(r.return_invoices, 0)      as return_invoices,
        coalesce(r.returned_items, 0)       as returned_items,
        coalesce(r.returned_amount, 0)      as returned_amount,

        -- the newest batch with a line of this customer (or the profile that gave a line its
        -- country): the incremental watermark
        greatest(l.last_batch_id, r.last_batch_id) as last_batch_id

    from order_totals as o
    join line_totals as l on l.customer_id = o.customer_id
    join products as p on p.customer_id = o.customer_id
    join countries as c on c.customer_id = o.customer_id
    left join return_totals as r on r.customer_id = o.customer_id

),

changed as (

    select final.*{% if is_incremental() %}, false as is_tombstone{% endif %}
    from final

    {% if is_incremental() %}
    union all

    -- a changed customer with no purchase left (all were in a retracted batch): a row that only
    -- deletes (tombstone_column), so the customer leaves as a full rebuild would have it
    select
        changed_customers.customer_id,
        null, null, null, null, null, null, null, null, null, null, null, null, null,
        true
    from changed_customers
    where not exists (select 1 from final where final.customer_id = changed_customers.customer_id)
    {% endif %}

)

-- in customer order, as the sort-based plan before gave it (session 7): the gold models sum
-- floating-point figures over customers, and a sum of doubles depends on the order of its terms
-- in the last digit (value_at_risk_share moved by 2e-18 when the rows came in hash order)
select * from changed
order by customer_id
