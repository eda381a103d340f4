-- Bronze: TravelTide browsing sessions exactly as landed (landing.travel_sessions), typed.
-- Empty when no sessions file was loaded (the real cohort extract has none).

with source as (

    select * from {{ source('landing', 'travel_sessions') }}

),

renamed as (

    select
        -- lineage
        batch_id::bigint                          as batch_id,
        source_file::text                         as source_file,
        source_line::bigint                       as source_line,
        loaded_at::timestamptz                    as loaded_at,

        -- the session as landed
        session_id::text                          as session_id,
        user_id::bigint                           as user_id,
        trip_id::text                             as trip_id,
        session_start::timestamp                  as session_start,
        session_end::timestamp                    as session_end,
        flight_discount::boolean                  as flight_discount,
        hotel_discount::boolean                   as hotel_discount,
        flight_discount_amount::double precision  as flight_discount_amount,
        hotel_discount_amount::double precision   as hotel_discount_amount,
        flight_booked::boolean                    as flight_booked,
        hotel_booked::boolean                     as hotel_booked,
        page_clicks::integer                      as page_clicks,
        cancellation::boolean                     as cancellation

    from source

)

select * from renamed
