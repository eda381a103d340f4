{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}

-- Gold: one row per TravelTide user (every user, with or without a trip): who they are, how they
-- travel, and, when sessions are loaded, how they browse and book. Traveller segments cluster on
-- a list of these columns (var traveler_segment_features); perks and the experiment key on
-- customer_id. Every column is described in models/gold/_travel__models.yml.
--
-- Trips here are booked trips that were not cancelled: spend, flights, stays and their shapes
-- describe travel that happened or will. Cancelled trips count only in cancelled_trips and
-- cancellation_rate. (The generic customer_features counts bookings, cancelled or not, as RFM
-- counts retail orders later cancelled.) Empty when no TravelTide data is loaded.

with users as (

    select * from {{ ref('stg_travel_users') }} where user_status = 'ok'

),

all_trips as (

    select * from {{ ref('travel_trips') }} where user_known

),

trips as (

    select * from all_trips where not cancelled

),

sessions as (

    select * from {{ ref('stg_travel_sessions') }} where session_status = 'ok'

),

as_of as (

    -- the moment ages are measured at: var as_of, else the day after the latest trip start or
    -- session in the data
    {% if var('as_of', none) %}
    select cast('{{ var("as_of", none) }}' as timestamp) as as_of
    {% else %}
    select (
        greatest(
            (select max(ordered_at) from all_trips),
            (select max(session_end) from sessions)
        )::date + 1
    )::timestamp as as_of
    {% endif %}

),

session_presence as (

    -- session features are null, not 0, when no sessions are loaded at all (the real extract)
    select exists (select 1 from sessions) as has_sessions

),

trip_totals as (

    select
        user_id,
        count(*)                                                     as trips,
        count(*) filter (where has_flight)                           as flights,
        count(*) filter (where has_hotel)                            as hotel_stays,
        coalesce(sum(flight_spend), 0)                               as flight_spend,
        coalesce(sum(hotel_spend), 0)                                as hotel_spend,
        avg(seats)                                                   as avg_seats_per_flight,
        avg(checked_bags)                                            as avg_bags_per_flight,
        avg(rooms)                                                   as avg_rooms_per_stay,
        avg(nights)                                                  as avg_nights_per_stay,
        avg(return_flight_booked::int) filter (where has_flight)     as return_flight_share,
        -- a weekend trip starts on a Friday or Saturday and ends by the Monday after (at most
        -- three days later, on a Saturday, Sunday or Monday)
        count(*) filter (
            where extract(isodow from starts_at) in (5, 6)
              and ends_at::date - starts_at::date between 1 and 3
              and extract(isodow from ends_at) in (6, 7, 1)
        )                                                            as weekend_trips,
        -- days between booking and the trip's start: only when the booking session is known
        avg(extract(epoch from starts_at - booked_at) / 86400)
            filter (where booked_at is not null)                     as avg_days_booked_ahead,
        min(ordered_at)                                              as first_trip_at,
        max(ordered_at)                                              as last_trip_at
    from trips
    group by user_id

),

distances as (

    -- great-circle (haversine) km from the home airport to the destination airport, twice for a
    -- return flight; TravelTide's flights carry the destination's coordinates and users their
    -- home airport's (origin_airport is the home airport on every flight of the extract)
    select
        t.user_id,
        sum(
            2 * 6371.0 * asin(sqrt(
                power(sin(radians(t.destination_airport_lat - u.home_airport_lat) / 2), 2)
                + cos(radians(u.home_airport_lat)) * cos(radians(t.destination_airport_lat))
                  * power(sin(radians(t.destination_airport_lon - u.home_airport_lon) / 2), 2)
            )) * case when t.return_flight_booked then 2 else 1 end
        ) as distance_flown_km
    from trips as t
    join users as u on u.user_id = t.user_id
    where t.has_flight
    group by t.user_id

),

cancellations as (

    select user_id, count(*) filter (where cancelled) as cancelled_trips, count(*) as booked_trips
    from all_trips
    group by user_id

),

session_totals as (

    select
        user_id,
        count(*)                                                         as sessions,
        avg(page_clicks)                                                 as avg_page_clicks,
        avg((flight_discount or hotel_discount)::int)                    as discount_offered_share,
        -- of the sessions that booked something, the share booked with a discount on what was booked
        avg(((flight_booked and flight_discount) or (hotel_booked and hotel_discount))::int)
            filter (where (flight_booked or hotel_booked) and not cancellation) as discount_booking_share,
        -- the average discount offered, as a fraction of the price (flight and hotel offers alike)
        (coalesce(sum(flight_discount_amount) filter (where flight_discount), 0)
         + coalesce(sum(hotel_discount_amount) filter (where hotel_discount), 0))
        / nullif(count(*) filter (where flight_discount and flight_discount_amount is not null)
                 + count(*) filter (where hotel_discount and hotel_discount_amount is not null), 0)
                                                                         as avg_discount
    from sessions
    group by user_id

),

final as (

    select
        u.customer_id,
        u.user_id,

        -- who
        extract(year from age(a.as_of, u.birthdate))::integer            as age,
        u.gender,
        u.married,
        u.has_children,
        case
            when u.married and u.has_children then 'married with children'
            when u.has_children then 'single parent'
            when u.married then 'married, no children'
            else 'single, no children'
        end                                                              as family_status,
        u.home_country,
        u.home_city,
        u.home_airport,
        u.sign_up_date,
        a.as_of,

        -- trips (booked, not cancelled)
        coalesce(t.trips, 0)                                             as trips,
        coalesce(t.flights, 0)                                           as flights,
        coalesce(t.hotel_stays, 0)                                       as hotel_stays,
        t.first_trip_at,
        t.last_trip_at,

        -- spend (USD): fare as booked; hotel = per-room price × nights × rooms
        round(coalesce(t.flight_spend, 0), 2)                            as flight_spend,
        round(coalesce(t.hotel_spend, 0), 2)                             as hotel_spend,
        round(coalesce(t.flight_spend, 0) + coalesce(t.hotel_spend, 0), 2) as total_spend,

        -- the shape of trips
        round(t.avg_seats_per_flight, 3)                                 as avg_seats_per_flight,
        round(t.avg_bags_per_flight, 3)                                  as avg_bags_per_flight,
        round(t.avg_rooms_per_stay, 3)                                   as avg_rooms_per_stay,
        round(t.avg_nights_per_stay, 3)                                  as avg_nights_per_stay,
        round(coalesce(d.distance_flown_km, 0)::numeric, 1)              as distance_flown_km,
        coalesce(t.weekend_trips, 0)                                     as weekend_trips,
        round(t.weekend_trips::numeric / nullif(t.trips, 0), 4)          as weekend_trip_share,
        round(t.return_flight_share, 4)                                  as return_flight_share,
        round(t.avg_days_booked_ahead::numeric, 2)                       as avg_days_booked_ahead,

        -- browsing and booking (null when no sessions are loaded)
        case when p.has_sessions then coalesce(s.sessions, 0) end        as sessions,
        round(s.avg_page_clicks, 2)                                      as avg_page_clicks,
        round(s.discount_offered_share, 4)                               as discount_offered_share,
        round(s.discount_booking_share, 4)                               as discount_booking_share,
        round(s.avg_discount::numeric, 4)                                as avg_discount,
        coalesce(c.cancelled_trips, 0)                                   as cancelled_trips,
        case when p.has_sessions then round(c.cancelled_trips::numeric / nullif(c.booked_trips, 0), 4) end
                                                                         as cancellation_rate

    from users as u
    cross join as_of as a
    cross join session_presence as p
    left join trip_totals as t on t.user_id = u.user_id
    left join distances as d on d.user_id = u.user_id
    left join cancellations as c on c.user_id = u.user_id
    left join session_totals as s on s.user_id = u.user_id

)

select * from final
