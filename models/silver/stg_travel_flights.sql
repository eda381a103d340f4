{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['batch_id', 'source_line'],
        indexes=[
            {'columns': ['batch_id', 'source_line'], 'unique': true},
            {'columns': ['trip_id']}, {'columns': ['user_id']}
        ]
    )
}}

-- Silver staging for TravelTide flight bookings (landing.travel_flights): every landed row of
-- every loaded batch, with a flight_status: 'booked' or the rule that set it aside.
--     select flight_status, count(*) from silver.stg_travel_flights group by 1;
-- Incremental (delete+insert on batch_id, source_line, watermark on batch_id) as
-- stg_retail_order_lines: a row's status depends only on itself and on rows loaded before it, and
-- a batch retracted since the last build is written again as 'retracted'.
-- Counts on the real cohort extract (13,193 flights): booked 13,193.

with ranked as (

    -- Rule: read only batches whose load finished, and (incremental) only those not read yet and
    -- those retracted since; each row with its occurrence and whether its trip_id was landed before,
    -- looked up in the index on trip_id (macros/new_landed_rows.sql)
    {{ new_landed_rows(ref('travel_flights'), 'trip_id', "flight_status not in ('duplicate', 'retracted')") }}

),

final as (

    select
        batch_id,
        source_file,
        source_line,
        loaded_at,

        case
            -- Rule: a row of a retracted batch (npm run load -- --retract) is kept, marked, and
            -- counts for nothing; the others are ranked without it (macros/new_landed_rows.sql)
            when retracted then 'retracted'
            -- Rule: a flight without a trip id or a departure cannot be placed (0 on the extract)
            when trip_id is null or departure_time is null then 'incomplete'
            -- Rule: a trip id seen before is the same booking again; the first row stays (0)
            when occurrence > 1 or seen_before then 'duplicate'
            -- Rule: a fare missing or not positive has no value to count (0)
            when base_fare_usd is null or base_fare_usd <= 0 then 'no_amount'
            else 'booked'
        end                                                             as flight_status,

        trip_id,
        -- TravelTide trip ids are "<user_id>-<32 hex>": the user is the prefix (100% of the
        -- extract's flights match a user this way; sessions say the same when present)
        case when trip_id ~ '^[0-9]{1,18}-' then split_part(trip_id, '-', 1)::bigint end as user_id,
        nullif(btrim(origin_airport), '')                               as origin_airport,
        nullif(btrim(destination), '')                                  as destination,
        nullif(btrim(destination_airport), '')                          as destination_airport,
        seats,
        -- Rule: a return flight is booked exactly when there is a return time. TravelTide leaves
        -- return_time null when no return flight was booked (573 rows, all with
        -- return_flight_booked = false; 0 rows disagree). A flag without a time, or a time
        -- without the flag, would count as no return: nothing to measure the return by.
        coalesce(return_flight_booked, false) and return_time is not null as return_flight_booked,
        -- Rule: times to whole seconds (none of the extract's flight times has a fraction)
        date_trunc('second', departure_time)                            as departure_time,
        case when return_flight_booked then date_trunc('second', return_time) end as return_time,
        coalesce(checked_bags, 0)                                       as checked_bags,
        nullif(btrim(trip_airline), '')                                 as trip_airline,
        destination_airport_lat,
        destination_airport_lon,
        base_fare_usd

    from ranked

)

select * from final
