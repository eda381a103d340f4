-- Silver, source-neutral: every purchase line of every source, one row per line. Gold reads
-- order lines only through this model (and orders, customers, returns, which are built from it),
-- so a new source feeds gold by adding its own staging model to the union below with the same
-- columns and meanings. Nothing in gold changes. See docs/models.md, "Adding a source".
--
-- A purchase is a line its staging model marked line_status = 'purchase': it has a customer,
-- is no duplicate, cancellation, return or non-product line, and has a positive quantity,
-- unit price and amount (the rules are in each staging model).
-- Identifiers must not collide across sources: a source whose invoice or customer ids could
-- clash with another's prefixes them in its staging model.

-- line_key is text here: each source keys its lines its own way (retail a 64-bit content hash,
-- travel and airline a uuid), and the union needs one type.

with retail as (

    select
        'retail_order_lines'::text  as source,
        batch_id,
        source_file,
        source_line,
        line_key::text as line_key,
        -- invoice_key is invoice_no for every purchase (it has an invoice number; '' only for a
        -- line without one): the distribution column on Citus, named here so that the union
        -- below runs on the workers (the comment before `unioned`)
        invoice_key as invoice_no,
        customer_id,
        stock_code,
        description,
        quantity,
        unit_price,
        line_amount,
        invoiced_at,
        country,
        null::bigint as profile_batch_id
    from {{ ref('stg_retail_order_lines') }}
    where line_status = 'purchase'

),

travel as (

    select
        'stg_travel_order_lines'::text  as source,
        batch_id,
        source_file,
        source_line,
        line_key::text as line_key,
        invoice_no,
        customer_id,
        stock_code,
        description,
        quantity,
        unit_price,
        line_amount,
        invoiced_at,
        country,
        null::bigint as profile_batch_id
    from {{ ref('stg_travel_order_lines') }}
    where line_status = 'purchase'

),

-- The airline loyalty programme: a member-month with flights is a purchase occasion, its
-- kilometres the amount (stg_airline_flight_activity; docs/airline.md). Ids are namespaced
-- 'airline-…' there. The activity file has no country: the member's profile gives it.
airline as (

    select
        'stg_airline_flight_activity'::text as source,
        activity.batch_id,
        activity.source_file,
        activity.source_line,
        activity.line_key::text as line_key,
        activity.invoice_key as invoice_no,
        activity.customer_id,
        activity.stock_code,
        activity.description,
        activity.quantity,
        activity.unit_price,
        activity.line_amount,
        activity.invoiced_at,
        members.country,
        -- the members file that gave the country: a newer export of the member (a move) changes
        -- lines no activity batch touched, so orders and customers recompute them from it
        members.batch_id as profile_batch_id
    from {{ ref('stg_airline_flight_activity') }} as activity
    left join {{ ref('stg_airline_members') }} as members
        on members.customer_id = activity.customer_id
       and members.member_status = 'current'
    where activity.line_status = 'purchase'

),

-- a new source: a CTE like `retail` over its staging model, added to `unioned` with union all
-- On Citus every leg's invoice_no is its staging table's distribution column (invoice_key,
-- co-located; schema.yml): a UNION ALL whose legs line their distribution columns up in the same
-- position runs shard by shard on the workers, so orders (grouped by invoice) and customers'
-- per-customer totals read the lines where they are. One local leg would make Citus copy every
-- line of the others to the coordinator for each reader (docs/scale-out.md).

unioned as (

    select * from retail
    union all
    select * from travel
    union all
    select * from airline

)

select * from unioned
