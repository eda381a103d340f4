-- Bronze: the airline loyalty programme's monthly activity (Customer Flight Activity, current
-- release) exactly as it landed, renamed. Duplicate rows and member-months stay: silver
-- (stg_airline_flight_activity) handles them with written rules.

with source as (

    select * from {{ source('landing', 'airline_flight_activity') }}

),

renamed as (

    select
        -- lineage: which load, file and line this row came from
        batch_id::bigint                        as batch_id,
        source_file::text                       as source_file,
        source_line::bigint                     as source_line,
        loaded_at::timestamptz                  as loaded_at,

        -- the member-month as landed
        loyalty_number::integer                 as loyalty_number,
        year::integer                           as activity_year,
        month::integer                          as activity_month,
        total_flights::integer                  as total_flights,
        distance::integer                       as distance_km,
        points_accumulated::numeric             as points_accumulated,
        points_redeemed::integer                as points_redeemed,
        dollar_cost_points_redeemed::integer    as dollar_cost_points_redeemed

    from source

)

select * from renamed
