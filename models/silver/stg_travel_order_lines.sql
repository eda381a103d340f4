-- Silver staging: TravelTide trips as order lines in the source-neutral layout of
-- stg_retail_order_lines, so that silver order_lines, returns, orders and customers, and all of
-- the generic gold, serve travellers unchanged (docs/models.md, "Adding a source").
--
-- A trip is an order (invoice_no 'tt-' || trip_id); its flight and its hotel stay are its lines:
--   flight: stock_code 'flight:<destination airport>', quantity = seats,
--           line_amount = the fare as booked (base_fare_usd), unit_price = fare / seats
--   hotel:  stock_code 'hotel:<hotel name>', quantity = nights × rooms,
--           unit_price = price per room per night, line_amount = price × nights × rooms
-- Identifiers are namespaced: customer_id 'tt-' || user_id and invoice_no 'tt-' || trip_id (travel_trips'
-- invoice_key: the column, not the expression, so that Citus sees the distribution column), so
-- a TravelTide user never merges with a retail customer of the same number.
-- A cancelled trip keeps its booking lines (the booking happened, as a retail order that was
-- later cancelled) and adds one 'cancellation' line per booked line, which returns reads.
-- A view over travel_trips (incremental): no history is copied.

with trips as not materialized (

    select * from {{ ref('travel_trips') }}

),

-- not materialized (as trips above): read twice (purchases, cancellation_lines), PostgreSQL would
-- otherwise compute it once in full, and a reader's `batch_id > watermark` (orders, through
-- order_lines) could not reach travel_trips' batch_id and cancel_batch_id indexes: every build
-- would read every trip (measured: 0.66-0.90 s before, 0.04 s after; docs/benchmarks.md)
booked_lines as not materialized (

    select
        batch_id, source_file, flight_source_line as source_line, loaded_at,
        'flight'                                                as kind,
        trip_id, invoice_key, user_known, customer_id, country, ordered_at,
        'flight:' || coalesce(destination_airport, '?')        as stock_code,
        coalesce(destination, destination_airport)             as description,
        seats                                                  as quantity,
        round(flight_spend / nullif(seats, 0), 4)              as unit_price,
        flight_spend                                           as line_amount,
        cancelled, cancelled_at, cancel_batch_id, cancel_source_file, cancel_source_line
    from trips
    where has_flight

    union all

    select
        batch_id, source_file, hotel_source_line, loaded_at,
        'hotel',
        trip_id, invoice_key, user_known, customer_id, country, ordered_at,
        'hotel:' || coalesce(hotel_name, '?'),
        hotel_name,
        nights * rooms,
        hotel_per_room_usd,
        hotel_spend,
        cancelled, cancelled_at, cancel_batch_id, cancel_source_file, cancel_source_line
    from trips
    where has_hotel

),

purchases as (

    select
        batch_id,
        source_file,
        source_line,
        loaded_at,
        md5('traveltide:' || trip_id || ':' || kind)::uuid    as line_key,
        case
            -- Rule: a trip whose user is not in users cannot be attributed (0 on the extract)
            when not user_known then 'no_customer'
            -- Rule: a line with no positive amount has no value to count (0; staging guards)
            when line_amount is null or line_amount <= 0 or quantity is null or quantity <= 0 then 'no_amount'
            else 'purchase'
        end                                                    as line_status,
        invoice_key                                            as invoice_no,
        customer_id,
        stock_code,
        description,
        quantity,
        unit_price,
        line_amount,
        ordered_at                                             as invoiced_at,
        country
    from booked_lines

),

cancellation_lines as (

    -- one per booked line of a cancelled trip, dated and batched by the cancelling session
    select
        cancel_batch_id                                        as batch_id,
        cancel_source_file                                     as source_file,
        cancel_source_line                                     as source_line,
        loaded_at,
        md5('traveltide:' || trip_id || ':' || kind || ':cancellation')::uuid as line_key,
        'cancellation'                                         as line_status,
        invoice_key                                            as invoice_no,
        customer_id,
        stock_code,
        description,
        quantity,
        unit_price,
        line_amount,
        cancelled_at                                           as invoiced_at,
        country
    from booked_lines
    where cancelled and user_known

)

select * from purchases
union all
select * from cancellation_lines
