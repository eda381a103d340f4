{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['batch_id', 'source_line'],
        indexes=[
            {'columns': ['batch_id', 'source_line'], 'unique': true},
            {'columns': ['session_id']}, {'columns': ['trip_id']}, {'columns': ['user_id']}
        ]
    )
}}

-- Silver staging for TravelTide browsing sessions (landing.travel_sessions): every landed row of
-- every loaded batch, with a session_status: 'ok' or the rule that set it aside. Empty on the real
-- cohort extract, which has no sessions file; generated data has them.
-- Incremental (delete+insert on batch_id, source_line, watermark on batch_id) as
-- stg_retail_order_lines: a row's status depends only on itself and on rows loaded before it, and
-- a batch retracted since the last build is written again as 'retracted'.

with ranked as (

    -- Rule: read only batches whose load finished, and (incremental) only those not read yet and
    -- those retracted since; each row with its occurrence and whether its session_id was landed before,
    -- looked up in the index on session_id (macros/new_landed_rows.sql)
    {{ new_landed_rows(ref('travel_sessions'), 'session_id', "session_status not in ('duplicate', 'retracted')") }}

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
            -- Rule: a session without an id, a user or a start cannot be placed
            when session_id is null or user_id is null or session_start is null then 'incomplete'
            -- Rule: a session id seen before is the same session again; the first row stays
            when occurrence > 1 or seen_before then 'duplicate'
            else 'ok'
        end                                                         as session_status,

        session_id,
        user_id,
        'tt-' || user_id::text                                      as customer_id,
        nullif(btrim(trip_id), '')                                  as trip_id,
        -- Rule: times to whole seconds. TravelTide writes microseconds; the fraction is an
        -- artefact of how the course data was generated and only makes equal times differ.
        date_trunc('second', session_start)                         as session_start,
        date_trunc('second', session_end)                           as session_end,
        coalesce(flight_discount, false)                            as flight_discount,
        coalesce(hotel_discount, false)                             as hotel_discount,
        flight_discount_amount,
        hotel_discount_amount,
        coalesce(flight_booked, false)                              as flight_booked,
        coalesce(hotel_booked, false)                               as hotel_booked,
        page_clicks,
        coalesce(cancellation, false)                               as cancellation

    from ranked

)

select * from final
