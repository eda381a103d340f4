-- Bronze: TravelTide flight bookings exactly as landed (landing.travel_flights), typed.

with source as (

    select * from {{ source('landing', 'travel_flights') }}

),

renamed as (

    select
        -- lineage
        batch_id::bigint                           as batch_id,
        source_file::text                          as source_file,
        source_line::bigint                        as source_line,
        loaded_at::timestamptz                     as loaded_at,

        -- the flight as landed
        trip_id::text                              as trip_id,
        origin_airport::text                       as origin_airport,
        destination::text                          as destination,
        destination_airport::text                  as destination_airport,
        seats::integer                             as seats,
        return_flight_booked::boolean              as return_flight_booked,
        departure_time::timestamp                  as departure_time,
        return_time::timestamp                     as return_time,
        checked_bags::integer                      as checked_bags,
        trip_airline::text                         as trip_airline,
        destination_airport_lat::double precision  as destination_airport_lat,
        destination_airport_lon::double precision  as destination_airport_lon,
        base_fare_usd::numeric                     as base_fare_usd

    from source

)

select * from renamed
