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

-- Silver staging for TravelTide hotel bookings (landing.travel_hotels): every landed row of every
-- loaded batch, with a hotel_status: 'booked' or the rule that set it aside.
--     select hotel_status, nights_rule, count(*) from silver.stg_travel_hotels group by 1, 2;
-- Incremental (delete+insert on batch_id, source_line, watermark on batch_id) as
-- stg_retail_order_lines: a row's status depends only on itself and on rows loaded before it, and
-- a batch retracted since the last build is written again as 'retracted'.
-- Counts on the real cohort extract (13,772 stays): booked 13,772; nights as landed 12,513,
-- recomputed from the dates 844, set to one night 415.

with ranked as (

    -- Rule: read only batches whose load finished, and (incremental) only those not read yet and
    -- those retracted since; each row with its occurrence and whether its trip_id was landed before,
    -- looked up in the index on trip_id (macros/new_landed_rows.sql)
    {{ new_landed_rows(ref('travel_hotels'), 'trip_id', "hotel_status not in ('duplicate', 'retracted')") }}

),

classified as (

    select
        ranked.*,
        dates.date_nights,
        case
            -- Rule: nights as landed when positive. (TravelTide counts whole 24-hour periods
            -- from check-in to the 11:00 check-out, one less than the calendar nights on 8,292
            -- rows; that is the data's own definition, and the case study's hotel spend uses it.)
            when ranked.nights > 0 then 'as_landed'
            -- Rule: nights <= 0 (1,259 rows: 1,158 at 0, 101 negative) is a known defect of the
            -- course data: a booked stay has at least one night. Recomputed from the check-in and
            -- check-out dates where those give a positive number (844 rows).
            when dates.date_nights > 0 then 'recomputed'
            -- Rule: where the dates give none either (415 rows: 389 check out on the check-in
            -- day, 26 the day before), the stay counts as one night, the least a hotel charges.
            else 'one_night'
        end as nights_rule
    from ranked
    -- calendar nights between the check-in and check-out dates
    cross join lateral (select ranked.check_out_time::date - ranked.check_in_time::date as date_nights) as dates

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
            -- Rule: a stay without a trip id or a check-in cannot be placed (0 on the extract)
            when trip_id is null or check_in_time is null then 'incomplete'
            -- Rule: a trip id seen before is the same booking again; the first row stays (0)
            when occurrence > 1 or seen_before then 'duplicate'
            -- Rule: a price or room count missing or not positive has no value to count (0)
            when hotel_per_room_usd is null or hotel_per_room_usd <= 0 or rooms is null or rooms <= 0 then 'no_amount'
            else 'booked'
        end                                                             as hotel_status,

        trip_id,
        case when trip_id ~ '^[0-9]{1,18}-' then split_part(trip_id, '-', 1)::bigint end as user_id,
        -- the chain and city are separated by " - "; some names carry a double space: trimmed only
        nullif(btrim(hotel_name), '')                                   as hotel_name,
        nights                                                          as landed_nights,
        nights_rule,
        case nights_rule
            when 'as_landed' then nights
            when 'recomputed' then date_nights
            else 1
        end                                                             as nights,
        rooms,
        -- Rule: times to whole seconds. 11,430 check-in times carry fractional seconds (an
        -- artefact of how the course data was generated); they only make equal times differ.
        date_trunc('second', check_in_time)                             as check_in_time,
        date_trunc('second', check_out_time)                            as check_out_time,
        hotel_per_room_usd

    from classified

)

select * from final
