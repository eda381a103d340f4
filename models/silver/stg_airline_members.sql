{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['customer_id']},
            {'columns': ['loyalty_number']}
        ]
    )
}}

-- Silver staging for the airline loyalty programme's members (landing.airline_members): every
-- landed member row of every loaded batch, trimmed and typed, with a member_status naming either
-- 'current' or the rule that set the row aside. Nothing is deleted, so each rule can be counted:
--     select member_status, count(*) from silver.stg_airline_members group by 1;
-- A table, rebuilt in full: a member's current row depends on later files (a newer export of the
-- same member supersedes the older), and the whole programme is 16,737 rows.
--
-- Identifiers: customer_id is 'airline-' followed by the loyalty number, so a member can never
-- share an id with a retail customer (Online Retail's ids are plain numbers, e.g. 17850) or any
-- other source's (docs/airline.md, "Identifiers").
--
-- Counts are for the current release's Customer Loyalty History (16,737 rows, one batch).

with loaded_batches as (

    -- Rule: read only batches whose load finished (status 'loaded'), as for order lines.
    select batch_id
    from {{ ref('load_batches') }}
    where status = 'loaded'

),

landed as (

    select members.*
    from {{ ref('airline_members') }} as members
    where members.batch_id in (select batch_id from loaded_batches)

),

cleaned as (

    select
        batch_id,
        source_file,
        source_line,
        loaded_at,
        loyalty_number,
        'airline-' || loyalty_number::text                      as customer_id,

        -- Rule: trim stray white space from the ends of text; empty text is missing
        -- (0 rows on the real file: the rule keeps a re-export with padded fields from splitting
        -- a province or card tier into two values).
        nullif(btrim(country, e' \t\r\n'), '')                  as country,
        nullif(btrim(province, e' \t\r\n'), '')                 as province,
        nullif(btrim(city, e' \t\r\n'), '')                     as city,
        nullif(btrim(postal_code, e' \t\r\n'), '')              as postal_code,
        nullif(btrim(gender, e' \t\r\n'), '')                   as gender,
        nullif(btrim(education, e' \t\r\n'), '')                as education,
        nullif(btrim(marital_status, e' \t\r\n'), '')           as marital_status,
        nullif(btrim(loyalty_card, e' \t\r\n'), '')             as loyalty_card,
        nullif(btrim(enrollment_type, e' \t\r\n'), '')          as enrollment_type,

        -- Rule: a negative salary is a sign error and is read as its absolute value (20 members,
        -- -9,081 to -58,486: mirrors of plausible incomes; the other 12,479 known salaries are
        -- 15,609 to 407,228). salary_was_negative keeps the fact so it can be counted.
        -- Rule: a missing salary stays missing (4,238 members, every one of them with education
        -- College: the export has no salary for that group). It is not imputed here; the churn
        -- model imputes the mean and flags it (docs/airline.md).
        abs(salary)                                             as salary,
        coalesce(salary < 0, false)                             as salary_was_negative,

        clv,

        -- Rule: enrolment and cancellation are a year and a month; the first day of that month
        -- stands for them (the data has no day). A month outside 1..12 makes the date missing
        -- (0 rows), and the member incomplete below.
        case when enrollment_month between 1 and 12 and enrollment_year is not null
             then make_date(enrollment_year, enrollment_month, 1) end          as enrolled_on,
        -- Rule: a cancellation needs both its year and its month (in the file both are empty
        -- together, for the 14,670 members still in the programme; 2,067 cancelled).
        case when cancellation_month between 1 and 12 and cancellation_year is not null
             then make_date(cancellation_year, cancellation_month, 1) end      as cancelled_on

    from landed

),

classified as (

    select
        cleaned.*,
        case
            -- Rule: a member without a loyalty number or an enrolment month cannot be placed
            -- (0 rows; the loader quarantines unreadable numbers, this keeps silver safe).
            when loyalty_number is null or enrolled_on is null then 'incomplete'

            -- Rule: the same member in several loaded files: the row of the newest batch is the
            -- member's current profile (a later export supersedes an earlier one), and earlier
            -- rows are kept as 'superseded' (0 rows with one file loaded). Within one file the
            -- last line wins (the file has one row per member: 0 rows).
            when row_number() over (
                partition by loyalty_number order by batch_id desc, source_line desc
            ) > 1 then 'superseded'

            else 'current'
        end as member_status
    from cleaned

),

final as (

    select
        -- lineage
        batch_id,
        source_file,
        source_line,
        loaded_at,

        -- the rules' verdict
        member_status,

        -- the member
        customer_id,
        loyalty_number,
        country,
        province,
        city,
        postal_code,
        gender,
        education,
        salary,
        salary_was_negative,
        marital_status,
        loyalty_card,
        clv,
        enrollment_type,
        enrolled_on,
        cancelled_on

    from classified

)

select * from final
