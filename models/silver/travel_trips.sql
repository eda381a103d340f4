-- Silver: one row per booked TravelTide trip (a flight, a hotel stay, or both under one trip_id),
-- with its traveller, its booking and, when sessions are loaded, when it was booked and whether it
-- was cancelled. Feeds stg_travel_order_lines (a trip is an order) and gold.traveler_features.
--
-- A view: it holds no history of its own, and reads the incremental staging tables.
-- On the real cohort extract: 15,484 trips (11,481 flight and hotel, 1,712 flight only, 2,291
-- hotel only), every one with a known user; no sessions, so none is known to be cancelled.

with flights as (

    select * from {{ ref('stg_travel_flights') }} where flight_status = 'booked'

),

hotels as (

    select * from {{ ref('stg_travel_hotels') }} where hotel_status = 'booked'

),

users as (

    select * from {{ ref('stg_travel_users') }} where user_status = 'ok'

),

sessions as (

    select * from {{ ref('stg_travel_sessions') }} where session_status = 'ok' and trip_id is not null

),

bookings as (

    -- the session in which the trip was booked: the first with a booked flag and no cancellation
    select distinct on (trip_id)
        trip_id, user_id, session_end as booked_at, batch_id
    from sessions
    where (flight_booked or hotel_booked) and not cancellation
    order by trip_id, session_start, session_id

),

cancellations as (

    -- Rule: a trip is cancelled when a session says so (cancellation = true for its trip_id).
    -- TravelTide records the cancellation in a later session of the same trip; the booking
    -- itself stays in flights and hotels. 0 on the extract (no sessions).
    select distinct on (trip_id)
        trip_id, session_end as cancelled_at, batch_id, source_file, source_line
    from sessions
    where cancellation
    order by trip_id, session_start, session_id

),

trips as (

    select
        coalesce(f.trip_id, h.trip_id)                                  as trip_id,
        -- the user: the booking session's when there is one, else the trip id's prefix
        coalesce(b.user_id, f.user_id, h.user_id)                       as user_id,
        f.trip_id is not null                                           as has_flight,
        h.trip_id is not null                                           as has_hotel,

        -- flight
        f.origin_airport, f.destination, f.destination_airport, f.seats, f.return_flight_booked,
        f.departure_time, f.return_time, f.checked_bags, f.trip_airline,
        f.destination_airport_lat, f.destination_airport_lon,
        f.base_fare_usd                                                 as flight_spend,

        -- hotel: spend = per-room price × nights × rooms
        h.hotel_name, h.nights, h.nights_rule, h.rooms, h.check_in_time, h.check_out_time, h.hotel_per_room_usd,
        h.hotel_per_room_usd * h.nights * h.rooms                       as hotel_spend,

        -- when: booked (sessions), else the trip's start (departure or check-in)
        b.booked_at,
        coalesce(b.booked_at, least(f.departure_time, h.check_in_time)) as ordered_at,
        least(f.departure_time, h.check_in_time)                        as starts_at,
        coalesce(f.return_time, h.check_out_time, f.departure_time)     as ends_at,

        c.trip_id is not null                                           as cancelled,
        c.cancelled_at,
        c.batch_id                                                      as cancel_batch_id,
        c.source_file                                                   as cancel_source_file,
        c.source_line                                                   as cancel_source_line,

        -- lineage: the newest batch that contributed to the trip (a booking session loaded
        -- later changes its time), and the file and line of its flight (else its hotel)
        greatest(f.batch_id, h.batch_id, b.batch_id)                    as batch_id,
        coalesce(f.source_file, h.source_file)                          as source_file,
        coalesce(f.source_line, h.source_line)                          as source_line,
        greatest(f.loaded_at, h.loaded_at)                              as loaded_at,
        f.source_line                                                   as flight_source_line,
        h.source_line                                                   as hotel_source_line

    from flights as f
    full join hotels as h on h.trip_id = f.trip_id
    left join bookings as b on b.trip_id = coalesce(f.trip_id, h.trip_id)
    left join cancellations as c on c.trip_id = coalesce(f.trip_id, h.trip_id)

),

final as (

    select
        t.*,
        'tt-' || t.user_id::text        as customer_id,
        u.user_id is not null           as user_known,
        u.home_country                  as country
    from trips as t
    left join users as u on u.user_id = t.user_id

)

select * from final
