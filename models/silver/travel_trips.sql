{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['trip_id', 'invoice_key'],
        tombstone_column='is_tombstone',
        indexes=[
            {'columns': ['trip_id', 'invoice_key'], 'unique': true},
            {'columns': ['user_id']},
            {'columns': ['user_id'], 'where': 'not user_known'},
            {'columns': ['batch_id']},
            {'columns': ['cancel_batch_id']}
        ]
    )
}}

-- Silver: one row per booked TravelTide trip (a flight, a hotel or both under one trip_id),
-- with its traveller, its booking and, when sessions are loaded, when it was booked and whether it
-- was cancelled. Feeds stg_travel_order_lines (a trip is an order) and gold.traveler_features.
--
-- Incremental (delete+insert on trip_id), so that a build costs what its new batches cost (issue 9:
-- no model that reads all of history each build; as a view, every reader recomputed the whole
-- flight ⟗ hotel join). A build writes again exactly the trips its new batches can change: those
-- with a flight, hotel or session row in a batch newer than any this table has read (batch_id and
-- cancel_batch_id); those whose traveller was unknown and whose user row has arrived (a trip of an
-- unknown user becomes known); and, while a retraction is pending (npm run load -- --retract),
-- those with a row in the retracted batches and those of travellers whose user row it held. Each
-- is recomputed from all its rows, found through the staging models' trip_id and user_id
-- indexes, so the result is the full computation's for those trips; one left with no booked
-- flight or hotel is removed (a tombstone row). The others cannot have changed: staging changes a
-- row's status only when a batch is retracted.
-- A batch that touches no trip leaves the watermark where it was: users without trips cost
-- nothing (users are looked up from the trips that lack one); flight, hotel or session rows that
-- change no trip (repeats, sessions that book nothing) are read again by the next build, until a
-- batch with a trip passes them: bounded by those batches' size.
-- On the real cohort extract: 15,484 trips (11,481 flight and hotel, 1,712 flight only, 2,291
-- hotel only), every one with a known user; no sessions, so none is known to be cancelled.

with

{% if is_incremental() %}
read_through as (

    -- the newest batch any trip here was built from: its flight, hotel, booking session or user
    -- row (batch_id), or its cancelling session (cancel_batch_id); each a look-up in its index
    select greatest(
        (select coalesce(max(batch_id), 0) from {{ this }}),
        (select coalesce(max(cancel_batch_id), 0) from {{ this }})
    ) as batch_id

),

retracted as (

    -- batches retracted since the last build that applied retractions: staging wrote their rows
    -- again as 'retracted' in this build (macros/new_landed_rows.sql)
    select batch_id from {{ ref('pending_retractions') }}

),

retracted_users as (

    select user_id from {{ ref('stg_travel_users') }}
    where batch_id in (select batch_id from retracted) and user_id is not null

),

touched as (

    -- the trips new batches can change: new flight, hotel or session rows of a trip …
    select trip_id from {{ ref('stg_travel_flights') }} where batch_id > (select batch_id from read_through)
    union
    select trip_id from {{ ref('stg_travel_hotels') }} where batch_id > (select batch_id from read_through)
    union
    select trip_id from {{ ref('stg_travel_sessions') }}
    where batch_id > (select batch_id from read_through) and trip_id is not null
    union
    -- … the trips whose traveller was unknown and is known now: one probe into the users' index
    -- per such trip (the partial index keeps it the unknown ones' cost; 0 on the real extract)
    select trip_id from {{ this }} as orphan
    where not orphan.user_known
      and exists (
          select 1 from {{ ref('stg_travel_users') }} as u
          where u.user_id = orphan.user_id and u.user_status = 'ok'
      )
    union
    -- … the trips with a row in a retracted batch (by the staging models' batch_id index; a repeat
    -- that is a first occurrence again shares the trip id) …
    select trip_id from {{ ref('stg_travel_flights') }} where batch_id in (select batch_id from retracted)
    union
    select trip_id from {{ ref('stg_travel_hotels') }} where batch_id in (select batch_id from retracted)
    union
    select trip_id from {{ ref('stg_travel_sessions') }}
    where batch_id in (select batch_id from retracted) and trip_id is not null
    union
    -- … and the trips of travellers whose user row was retracted, by this table's user_id index
    -- (`in`, not rows_by_key's lateral probe: Citus, where this table is distributed by
    -- invoice_key, refuses a lateral subquery with offset over it; retracted_users is empty
    -- but while a retraction is pending)
    select trip_id from {{ this }} as withdrawn
    where withdrawn.user_id in (select user_id from retracted_users)

),

touched_trips as (

    select trip_id from touched where trip_id is not null

),
{% endif %}

-- Incremental: the rows of the touched trips only, one index probe per trip (rows_by_key)

flights as (

    select *
    from {% if is_incremental() %}({{ rows_by_key(ref('stg_travel_flights'), 'trip_id', 'touched') }}){% else %}{{ ref('stg_travel_flights') }}{% endif %} as f
    where flight_status = 'booked'

),

hotels as (

    select *
    from {% if is_incremental() %}({{ rows_by_key(ref('stg_travel_hotels'), 'trip_id', 'touched') }}){% else %}{{ ref('stg_travel_hotels') }}{% endif %} as h
    where hotel_status = 'booked'

),

sessions as (

    select *
    from {% if is_incremental() %}({{ rows_by_key(ref('stg_travel_sessions'), 'trip_id', 'touched') }}){% else %}{{ ref('stg_travel_sessions') }}{% endif %} as s
    where session_status = 'ok' and trip_id is not null

),

{% if is_incremental() %}
travellers as (

    -- the users the touched trips can name (a trip's user is its booking session's, else the
    -- trip id's prefix, which flights and hotels carry)
    select user_id from flights
    union
    select user_id from hotels
    union
    select user_id from sessions

),
{% endif %}

users as (

    select *
    from {% if is_incremental() %}({{ rows_by_key(ref('stg_travel_users'), 'user_id', 'travellers') }}){% else %}{{ ref('stg_travel_users') }}{% endif %} as u
    where user_status = 'ok'

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
        -- the trip's invoice in the order lines (stg_travel_order_lines), stored so that a Citus
        -- cluster can distribute trips by it, co-located with the other sources' order lines
        -- (schema.yml, docs/scale-out.md); first, as in the line-level staging models, so that
        -- order_lines' union runs on the workers. It follows from trip_id
        'tt-' || {% if is_incremental() %}touched.trip_id{% else %}coalesce(f.trip_id, h.trip_id){% endif %} as invoice_key,
        {% if is_incremental() %}touched.trip_id{% else %}coalesce(f.trip_id, h.trip_id){% endif %} as trip_id,
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
        -- later changes its time; a user row loaded later makes its lines purchases), and the
        -- file and line of its flight (else its hotel). Models that read trips or their order
        -- lines incrementally (orders, and this model's own watermark) find changes by it.
        greatest(f.batch_id, h.batch_id, b.batch_id, u.batch_id)        as batch_id,
        coalesce(f.source_file, h.source_file)                          as source_file,
        coalesce(f.source_line, h.source_line)                          as source_line,
        greatest(f.loaded_at, h.loaded_at)                              as loaded_at,
        f.source_line                                                   as flight_source_line,
        h.source_line                                                   as hotel_source_line,

        -- the traveller
        'tt-' || coalesce(b.user_id, f.user_id, h.user_id)::text      as customer_id,
        u.user_id is not null                                           as user_known,
        u.home_country                                                  as country{% if is_incremental() %},

        -- a touched trip with no booked flight or hotel left (all were in a retracted batch): a
        -- row that only deletes (tombstone_column), so the trip leaves as a full rebuild has it
        f.trip_id is null and h.trip_id is null                         as is_tombstone
        {%- endif %}

    {% if is_incremental() %}
    -- every touched trip gives a row: its flight and hotel (each at most one booked row per trip)
    from touched_trips as touched
    left join flights as f on f.trip_id = touched.trip_id
    left join hotels as h on h.trip_id = touched.trip_id
    {% else %}
    from flights as f
    full join hotels as h on h.trip_id = f.trip_id
    {% endif %}
    left join bookings as b on b.trip_id = coalesce(f.trip_id, h.trip_id)
    left join cancellations as c on c.trip_id = coalesce(f.trip_id, h.trip_id)
    left join users as u on u.user_id = coalesce(b.user_id, f.user_id, h.user_id)

)

select * from trips
