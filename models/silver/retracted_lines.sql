-- Silver, source-neutral: the lines of retracted batches (npm run load -- --retract), one row per
-- line, from every source's staging model (a retracted TravelTide user row: one per trip of
-- theirs). orders and customers read it to find the invoices and customers a retraction touched;
-- nothing else counts these lines.

with retail as (

    select
        'retail_order_lines'::text  as source,
        batch_id,
        source_line,
        invoice_no,
        customer_id
    from {{ ref('stg_retail_order_lines') }}
    where line_status = 'retracted'

),

-- TravelTide: a retracted flight, hotel or session row changes its trip (an order: invoice
-- 'tt-' || trip_id); a retracted user row changes every trip of that traveller (its lines are no
-- purchases without a known user), found through travel_trips' user_id index
travel_rows as (

    select batch_id, source_line, trip_id, user_id
    from {{ ref('stg_travel_flights') }} where flight_status = 'retracted'
    union all
    select batch_id, source_line, trip_id, user_id
    from {{ ref('stg_travel_hotels') }} where hotel_status = 'retracted'
    union all
    select batch_id, source_line, trip_id, user_id
    from {{ ref('stg_travel_sessions') }} where session_status = 'retracted'

),

travel as (

    select
        'stg_travel_order_lines'::text  as source,
        batch_id,
        source_line,
        'tt-' || trip_id                as invoice_no,
        'tt-' || user_id::text          as customer_id
    from travel_rows

    union all

    select
        'stg_travel_order_lines'::text,
        users.batch_id,
        users.source_line,
        'tt-' || trips.trip_id,
        users.customer_id
    from {{ ref('stg_travel_users') }} as users
    left join {{ ref('travel_trips') }} as trips on trips.user_id = users.user_id
    where users.user_status = 'retracted'

),

-- the airline's monthly activity: a retracted row changes its member-month (the "invoice")
airline as (

    select
        'stg_airline_flight_activity'::text as source,
        batch_id,
        source_line,
        invoice_no,
        customer_id
    from {{ ref('stg_airline_flight_activity') }}
    where line_status = 'retracted'

),

-- a new source: a CTE like `retail` over its staging model, added to `unioned` with union all

unioned as (

    select * from retail
    union all
    select * from travel
    union all
    select * from airline

)

select * from unioned
