{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['batch_id']},
            {'columns': ['customer_id']},
            {'columns': ['invoice_no']}
        ]
    )
}}

-- Silver staging for the airline loyalty programme's monthly activity
-- (landing.airline_flight_activity): every landed row of every loaded batch, typed, with a
-- line_status naming either 'purchase' or the rule that set the row aside, and the columns of
-- stg_retail_order_lines so that silver.order_lines can take its purchases unchanged:
--     select line_status, count(*) from silver.stg_airline_flight_activity group by 1;
--
-- What a "purchase" is here: a member-month with at least one flight is a purchase occasion (an
-- "order"); its quantity is the month's flights and its amount the kilometres flown, the value
-- measure the source-neutral gold (monetary, CLV, KPIs) then reads for members. Points earned and
-- redeemed are kept here and summarised in gold.loyalty_members (docs/airline.md, "Activity in
-- the source-neutral silver").
--
-- Identifiers: customer_id is 'airline-<loyalty number>' and the "invoice" is
-- 'airline-<loyalty number>-<YYYY-MM>', so neither can collide with a retail invoice or customer.
--
-- Incremental (append) exactly as stg_retail_order_lines: a build reads only batches newer than
-- the newest here; a row's status depends only on itself and on rows loaded before it.
-- Counts are for the current release's Customer Flight Activity (392,936 rows, one batch).

with loaded_batches as (

    -- Rule: read only batches whose load finished (status 'loaded'), as for order lines.
    select batch_id
    from {{ ref('load_batches') }}
    where status = 'loaded'

),

landed as (

    select activity.*
    from {{ ref('airline_flight_activity') }} as activity
    where activity.batch_id in (select batch_id from loaded_batches)
    {% if is_incremental() %}
      -- only the batches this table has not seen yet
      and activity.batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

keyed as (

    select
        landed.*,
        -- the period as a date: its first day stands for the month (the data has no day)
        case when activity_month between 1 and 12 and activity_year is not null
             then make_date(activity_year, activity_month, 1) end            as period_start,
        -- the row's content, to find exact duplicates: every landed column except lineage
        md5(row(
            loyalty_number, activity_year, activity_month, total_flights, distance_km,
            points_accumulated, points_redeemed, dollar_cost_points_redeemed
        )::text)::uuid                                                        as line_key
    from landed

),

ranked as (

    select
        keyed.*,
        row_number() over (partition by keyed.line_key order by keyed.batch_id, keyed.source_line) as occurrence,
        {% if is_incremental() %}
        earlier.line_key is not null as seen_before
        {% else %}
        false as seen_before
        {% endif %}
    from keyed
    {% if is_incremental() %}
    left join (select distinct line_key from {{ this }}) as earlier
        on earlier.line_key = keyed.line_key
    {% endif %}

),

classified as (

    select
        ranked.*,
        -- The rules, in this order; the first that applies names the row's status.
        case
            -- Rule: an exact duplicate of an earlier row, in this batch or an earlier one, counts
            -- once (1,922 rows; every one of them an all-zero month, so dropping them changes no
            -- total). The first occurrence keeps the status it earns below.
            when ranked.occurrence > 1 or ranked.seen_before then 'duplicate'

            -- Rule: a row without a member or a valid year and month cannot be placed (0 rows).
            when ranked.loyalty_number is null or ranked.period_start is null then 'incomplete'

            -- Rule: a month without flights is no purchase occasion (212,200 rows once duplicates
            -- are out; 2,948 of them redeem points, which gold.loyalty_members still counts).
            when coalesce(ranked.total_flights, 0) <= 0 then 'no_flights'

            -- Rule: flights without a positive distance have no value to count (0 rows).
            when ranked.distance_km is null or ranked.distance_km <= 0 then 'no_amount'

            -- Rule: the same member and month on two or more rows that are not exact duplicates
            -- (1,949 rows beyond the first of their member-month, of 3,871 surplus rows in all)
            -- are separate records of that month: each is kept as a purchase line, and the
            -- member-month (one "invoice") sums them in silver.orders. Keeping one would drop
            -- flights the file records; no rule can tell which row is "the" month.
            else 'purchase'
        end as line_status
    from ranked

),

final as (

    select
        -- lineage
        batch_id,
        source_file,
        source_line,
        loaded_at,

        -- the rules' verdict
        line_key,
        line_status,

        -- the columns every source's staging model has (see silver/order_lines.sql)
        'airline-' || loyalty_number::text || '-' || to_char(period_start, 'YYYY-MM')   as invoice_no,
        'airline-' || loyalty_number::text                                              as customer_id,
        'flights'::text                                                                 as stock_code,
        'flights in the month'::text                                                    as description,
        total_flights                                                                   as quantity,
        -- km per flight, so that quantity × unit_price = line_amount
        distance_km::numeric / nullif(total_flights, 0)                                 as unit_price,
        distance_km::numeric                                                            as line_amount,
        period_start::timestamp                                                         as invoiced_at,

        -- the airline's own columns
        loyalty_number,
        period_start,
        total_flights,
        distance_km,
        points_accumulated,
        points_redeemed,
        dollar_cost_points_redeemed

    from classified

)

select * from final
