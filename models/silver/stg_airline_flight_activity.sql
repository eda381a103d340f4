{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['batch_id', 'source_line', 'invoice_key'],
        indexes=[
            {'columns': ['batch_id', 'source_line', 'invoice_key'], 'unique': true},
            {'columns': ['customer_id']},
            {'columns': ['invoice_key']},
            {'columns': ['line_key']}
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
-- Incremental (delete+insert on batch_id, source_line) as the travel staging models
-- (macros/new_landed_rows.sql): a build reads only batches newer than the newest here, and finds
-- exact duplicates of earlier rows through the index on line_key, so its cost follows the batch,
-- not the history; a row's status depends only on itself and on rows loaded before it. A batch
-- retracted since the last build is written again as 'retracted'.
-- Counts are for the current release's Customer Flight Activity (392,936 rows, one batch).

with ranked as (

    -- Rule: read only batches whose load finished, as for order lines, and (incremental) only
    -- those not read yet and those retracted since; each row with its content key (an md5 of
    -- every landed column except lineage, to find exact duplicates), its occurrence, and whether
    -- that content was landed before, looked up in the index on line_key
    -- (macros/new_landed_rows.sql; as a set, not a lateral probe per row: Citus, where this table
    -- is distributed by invoice_key, refuses the probe)
    {{ new_landed_rows(
        ref('airline_flight_activity'), 'line_key', "line_status not in ('duplicate', 'retracted')",
        key_sql='md5(row(
            landed.loyalty_number, landed.activity_year, landed.activity_month, landed.total_flights,
            landed.distance_km, landed.points_accumulated, landed.points_redeemed,
            landed.dollar_cost_points_redeemed
        )::text)::uuid',
        probe=false
    ) }}

),

dated as (

    select
        ranked.*,
        -- the period as a date: its first day stands for the month (the data has no day)
        case when activity_month between 1 and 12 and activity_year is not null
             then make_date(activity_year, activity_month, 1) end            as period_start
    from ranked

),

classified as (

    select
        dated.*,
        -- The rules, in this order; the first that applies names the row's status.
        case
            -- Rule: a row of a retracted batch (npm run load -- --retract) is kept, marked, and
            -- counts for nothing; the others are ranked without it (macros/new_landed_rows.sql)
            when dated.retracted then 'retracted'

            -- Rule: an exact duplicate of an earlier row, in this batch or an earlier one, counts
            -- once (1,922 rows; every one of them an all-zero month, so dropping them changes no
            -- total). The first occurrence keeps the status it earns below.
            when dated.occurrence > 1 or dated.seen_before then 'duplicate'

            -- Rule: a row without a member or a valid year and month cannot be placed (0 rows).
            when dated.loyalty_number is null or dated.period_start is null then 'incomplete'

            -- Rule: a month without flights is no purchase occasion (212,200 rows once duplicates
            -- are out; 2,948 of them redeem points, which gold.loyalty_members still counts).
            when coalesce(dated.total_flights, 0) <= 0 then 'no_flights'

            -- Rule: flights without a positive distance have no value to count (0 rows).
            when dated.distance_km is null or dated.distance_km <= 0 then 'no_amount'

            -- Rule: the same member and month on two or more rows that are not exact duplicates
            -- (1,949 rows beyond the first of their member-month, of 3,871 surplus rows in all)
            -- are separate records of that month: each is kept as a purchase line, and the
            -- member-month (one "invoice") sums them in silver.orders. Keeping one would drop
            -- flights the file records; no rule can tell which row is "the" month.
            else 'purchase'
        end as line_status
    from dated

),

final as (

    select
        -- the invoice, '' for a row that has none (incomplete): the distribution column on Citus,
        -- co-located with the other sources' order lines (schema.yml, docs/scale-out.md; Citus
        -- refuses a NULL one), first as in every line-level staging model, so that order_lines'
        -- union runs on the workers. order_lines reads it as the invoice (equal for every purchase)
        coalesce('airline-' || loyalty_number::text || '-' || to_char(period_start, 'YYYY-MM'), '') as invoice_key,

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
