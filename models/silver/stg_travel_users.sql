{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['batch_id']}, {'columns': ['user_id']}]
    )
}}

-- Silver staging for TravelTide users (landing.travel_users): every landed row of every loaded
-- batch, trimmed and typed, with a user_status: 'ok', or the rule that set the row aside.
-- Nothing is deleted, so each rule can be counted:
--     select user_status, count(*) from silver.stg_travel_users group by 1;
-- Incremental (append, watermark on batch_id) as stg_retail_order_lines: a row's status depends
-- only on itself and on rows loaded before it.
-- Counts on the real cohort extract (5,782 users): ok 5,782; no rule sets any row aside.

with loaded_batches as (

    -- Rule: read only batches whose load finished (see stg_retail_order_lines)
    select batch_id from {{ ref('load_batches') }} where status = 'loaded'

),

landed as (

    select u.*
    from {{ ref('travel_users') }} as u
    where u.batch_id in (select batch_id from loaded_batches)
    {% if is_incremental() %}
      and u.batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

ranked as (

    select
        landed.*,
        row_number() over (partition by landed.user_id order by landed.batch_id, landed.source_line) as occurrence,
        {% if is_incremental() %}
        earlier.user_id is not null as seen_before
        {% else %}
        false as seen_before
        {% endif %}
    from landed
    {% if is_incremental() %}
    left join (select distinct user_id from {{ this }} where user_status = 'ok') as earlier
        on earlier.user_id = landed.user_id
    {% endif %}

),

final as (

    select
        -- lineage
        batch_id,
        source_file,
        source_line,
        loaded_at,

        case
            -- Rule: a row without a user id cannot be joined to anything (0 on the extract).
            when user_id is null then 'incomplete'
            -- Rule: a user id already seen (in this or an earlier batch) is the same user again;
            -- the first row stays (0 on the extract: user_id is its primary key).
            when occurrence > 1 or seen_before then 'duplicate'
            else 'ok'
        end                                             as user_status,

        user_id,
        -- the id in the source-neutral silver: namespaced so that TravelTide user 12345 is never
        -- the retail customer 12345 (docs/travel.md, "Identifiers")
        'tt-' || user_id::text                          as customer_id,
        birthdate,
        -- Rule: trim text and treat empty text as missing (none on the extract; a guard)
        nullif(btrim(gender), '')                       as gender,
        married,
        has_children,
        nullif(btrim(home_country), '')                 as home_country,
        nullif(btrim(home_city), '')                    as home_city,
        nullif(btrim(home_airport), '')                 as home_airport,
        home_airport_lat,
        home_airport_lon,
        sign_up_date

    from ranked

)

select * from final
