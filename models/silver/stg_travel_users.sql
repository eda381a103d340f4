{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['batch_id', 'source_line'],
        indexes=[
            {'columns': ['batch_id', 'source_line'], 'unique': true},
            {'columns': ['user_id']}
        ]
    )
}}

-- Silver staging for TravelTide users (landing.travel_users): every landed row of every loaded
-- batch, trimmed and typed, with a user_status: 'ok', or the rule that set the row aside.
-- Nothing is deleted, so each rule can be counted:
--     select user_status, count(*) from silver.stg_travel_users group by 1;
-- Incremental (delete+insert on batch_id, source_line, watermark on batch_id) as
-- stg_retail_order_lines: a row's status depends only on itself and on rows loaded before it, and
-- a batch retracted since the last build is written again as 'retracted'.
-- Counts on the real cohort extract (5,782 users): ok 5,782; no rule sets any row aside.

with ranked as (

    -- Rule: read only batches whose load finished, and (incremental) only those not read yet and
    -- those retracted since; each row with its occurrence and whether its user_id was landed before,
    -- looked up in the index on user_id (macros/new_landed_rows.sql)
    {{ new_landed_rows(ref('travel_users'), 'user_id', "user_status = 'ok'") }}

),

final as (

    select
        -- lineage
        batch_id,
        source_file,
        source_line,
        loaded_at,

        case
            -- Rule: a row of a retracted batch (npm run load -- --retract) is kept, marked, and
            -- counts for nothing; the others are ranked without it (macros/new_landed_rows.sql)
            when retracted then 'retracted'
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
