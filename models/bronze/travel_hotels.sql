-- Bronze: TravelTide hotel bookings exactly as landed (landing.travel_hotels), typed. The
-- nights column is kept as landed, defects included (silver recomputes it).

with source as (

    select * from {{ source('landing', 'travel_hotels') }}

),

renamed as (

    select
        -- lineage
        batch_id::bigint               as batch_id,
        source_file::text              as source_file,
        source_line::bigint            as source_line,
        loaded_at::timestamptz         as loaded_at,

        -- the stay as landed
        trip_id::text                  as trip_id,
        hotel_name::text               as hotel_name,
        nights::integer                as nights,
        rooms::integer                 as rooms,
        check_in_time::timestamp       as check_in_time,
        check_out_time::timestamp      as check_out_time,
        hotel_per_room_usd::numeric    as hotel_per_room_usd

    from source

)

select * from renamed
