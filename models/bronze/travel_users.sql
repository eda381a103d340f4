-- Bronze: TravelTide users exactly as landed (landing.travel_users), typed. Nothing is dropped,
-- trimmed or corrected here: cleaning is silver's (stg_travel_users).

with source as (

    select * from {{ source('landing', 'travel_users') }}

),

renamed as (

    select
        -- lineage
        batch_id::bigint                    as batch_id,
        source_file::text                   as source_file,
        source_line::bigint                 as source_line,
        loaded_at::timestamptz              as loaded_at,

        -- the user as landed
        user_id::bigint                     as user_id,
        birthdate::date                     as birthdate,
        gender::text                        as gender,
        married::boolean                    as married,
        has_children::boolean               as has_children,
        home_country::text                  as home_country,
        home_city::text                     as home_city,
        home_airport::text                  as home_airport,
        home_airport_lat::double precision  as home_airport_lat,
        home_airport_lon::double precision  as home_airport_lon,
        sign_up_date::date                  as sign_up_date

    from source

)

select * from renamed
