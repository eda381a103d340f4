{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['batch_id']}, {'columns': ['trip_id']}, {'columns': ['user_id']}]
    )
}}

-- Silver staging for TravelTide browsing sessions (landing.travel_sessions): every landed row of
-- every loaded batch, with a session_status: 'ok' or the rule that set it aside. Empty on the real
-- cohort extract, which has no sessions file; generated data has them.
-- Incremental (append, watermark on batch_id), as stg_retail_order_lines.

with loaded_batches as (

    -- Rule: read only batches whose load finished (see stg_retail_order_lines)
    select batch_id from {{ ref('load_batches') }} where status = 'loaded'

),

landed as (

    select s.*
    from {{ ref('travel_sessions') }} as s
    where s.batch_id in (select batch_id from loaded_batches)
    {% if is_incremental() %}
      and s.batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

ranked as (

    select
        landed.*,
        row_number() over (partition by landed.session_id order by landed.batch_id, landed.source_line) as occurrence,
        {% if is_incremental() %}
        earlier.session_id is not null as seen_before
        {% else %}
        false as seen_before
        {% endif %}
    from landed
    {% if is_incremental() %}
    left join (select distinct session_id from {{ this }}) as earlier
        on earlier.session_id = landed.session_id
    {% endif %}

),

final as (

    select
        batch_id,
        source_file,
        source_line,
        loaded_at,

        case
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
