{{ config(materialized='view') }}

-- Gold, for the data-quality section of the report: how many rows each step of the path from
-- landing to gold kept or set aside, and why. Counts only, no row of personal data, so the BI
-- role may read it while it may not read silver or bronze.
--
-- A view, not a table: its landing rows read load_batches as it is now, so a load shows at once.
-- The Online Retail-layout lines are not counted one by one here: silver.retail_line_counts keeps
-- their counts per batch and status as the published build staged them (its incremental build
-- counts only the batches a build changed). Reading this view, which its data test does on every
-- build, then costs the batches, not the whole history: counting every landed and staged line was
-- 4.5 s of a 1% batch's 16.0 s of test queries on 10 M lines (docs/benchmarks.md, session 10).
-- The travel and airline rows come the same way from silver.staged_row_counts (but for the airline
-- members, a table rebuilt in full every build, counted as it is).

with batches as (

    -- only loads that finished count; a failed load's lines never reach silver
    select lines_read, lines_loaded, lines_rejected
    from {{ ref('load_batches') }}
    where status = 'loaded'

),

landing_counts as (

    select 1 as ordinal, 'all' as source, 'load_batches' as model, 'landing' as stage, 'read' as step, 'lines read from files' as rule, coalesce(sum(lines_read), 0)::bigint as rows from batches
    union all
    select 2, 'all', 'load_batches', 'landing', 'kept', 'lines landed', coalesce(sum(lines_loaded), 0)::bigint from batches
    union all
    select 3, 'all', 'load_batches', 'landing', 'set aside', 'lines quarantined', coalesce(sum(lines_rejected), 0)::bigint from batches

),

quarantine_reasons as (

    select 10 as ordinal, 'all' as source, 'quarantine' as model, 'landing' as stage, 'quarantined' as step, reason as rule, count(*)::bigint as rows
    from {{ source('landing', 'quarantine') }}
    group by reason

),

bronze_counts as (

    -- the lines of every load the published build read (finished, or retracted since), as staging
    -- counted them: staging holds every landed line of a batch it read (tested per batch:
    -- silver_keeps_every_landed_line, error severity). A load finished since that build shows in
    -- the landing rows above at once, and here after the next build, with its silver rules; the
    -- part of a file a failed load left in landing is never read, and is not counted here.
    select 20 as ordinal, 'retail' as source, 'retail_order_lines' as model, 'bronze' as stage, 'kept' as step, 'order lines as landed' as rule,
           coalesce(sum(lines), 0)::bigint as rows
    from {{ ref('retail_line_counts') }}

),

silver_rules as (

    -- one row per cleaning rule of stg_retail_order_lines; 'purchase' is what silver keeps
    select
        case when line_status = 'purchase' then 30 else 31 end as ordinal,
        'retail' as source,
        'stg_retail_order_lines' as model,
        'silver' as stage,
        case when line_status = 'purchase' then 'kept' else 'set aside' end as step,
        line_status as rule,
        sum(lines)::bigint as rows
    from {{ ref('retail_line_counts') }}
    group by line_status

),

-- The travel and airline staging models keep every landed row of a loaded batch (and, but for
-- members, of a retracted one, as 'retracted') and name in a status column either the kept value
-- or the rule that set the row aside. Per model: the rows landed (counted on the bronze model, not
-- on silver, so a row silver lost would show), then the rows kept and set aside per rule. A source
-- with nothing loaded contributes no row. stg_travel_order_lines is not here: it is built from
-- silver trips, not from landed rows. The incremental staging models' counts come from
-- silver.staged_row_counts (per batch, as the published build staged them; recounted only for the
-- batches a build changed); stg_airline_members, a table rebuilt from its members file every
-- build, is counted here as it is.

model_ordinals as (

    select * from (values
        (50, 'travel', 'stg_travel_users'),
        (53, 'travel', 'stg_travel_sessions'),
        (56, 'travel', 'stg_travel_flights'),
        (59, 'travel', 'stg_travel_hotels'),
        (62, 'airline', 'stg_airline_members'),
        (65, 'airline', 'stg_airline_flight_activity')
    ) as m (ordinal, source, model)

),

members_counts as (

    select 'stg_airline_members' as model, 'landed' as step, 'rows landed' as rule, count(*)::bigint as rows
    from {{ ref('airline_members') }} where batch_id in (select batch_id from {{ ref('load_batches') }} where status = 'loaded')
    union all
    select 'stg_airline_members', case when member_status = 'current' then 'kept' else 'set aside' end, member_status, count(*)::bigint
    from {{ ref('stg_airline_members') }}
    group by member_status

),

travel_airline_rows as (

    select model, step, rule, sum(rows)::bigint as rows
    from {{ ref('staged_row_counts') }}
    group by model, step, rule
    union all
    select model, step, rule, rows from members_counts

),

travel_airline_counts as (

    -- the landed row first, then kept, set aside and noted; a model with nothing landed has no row
    select
        m.ordinal + case r.step when 'landed' then 0 when 'kept' then 1 when 'set aside' then 2 else 1 end as ordinal,
        m.source,
        r.model,
        'silver' as stage,
        r.step,
        r.rule,
        r.rows
    from travel_airline_rows as r
    join model_ordinals as m using (model)
    where r.step <> 'noted'
      and exists (select 1 from travel_airline_rows as l where l.model = r.model and l.step = 'landed' and l.rows > 0)

),

-- The airline rules that keep a row but correct or note it: they set nothing aside, so the
-- status counts above do not show them (counts on the current release in docs/airline.md). A
-- source with nothing loaded contributes no row.

airline_notes as (

    select 63 as ordinal, 'airline' as source, 'stg_airline_members' as model, 'silver' as stage, 'noted' as step,
           'negative salary read as its absolute value' as rule,
           count(*) filter (where salary_was_negative)::bigint as rows
    from {{ ref('stg_airline_members') }}
    having count(*) > 0
    union all
    select 63, 'airline', 'stg_airline_members', 'silver', 'noted', 'salary missing, left missing',
           count(*) filter (where salary is null)::bigint
    from {{ ref('stg_airline_members') }}
    having count(*) > 0
    union all
    -- member-months on two or more rows that are not exact duplicates: each kept as a line of
    -- that month's one order; counted beyond the first row of the member-month (per batch in
    -- silver.staged_row_counts, which says how)
    select 66, 'airline', 'stg_airline_flight_activity', 'silver', 'noted', rule, sum(rows)::bigint
    from {{ ref('staged_row_counts') }}
    where model = 'stg_airline_flight_activity' and step = 'noted'
    group by rule

),

gold_counts as (

    -- customer_features' rows, as kpis counted them (its one row, from the same build): read
    -- there, this view reads no distributed table on Citus, where customer_features is one; a
    -- statement mixing it with the local line-level tables above made Citus copy every landed
    -- and staged line into intermediate results (docs/scale-out.md)
    select 90 as ordinal, 'all' as source, 'customer_features' as model, 'gold' as stage, 'kept' as step, 'customers' as rule, customers::bigint as rows
    from {{ ref('kpis') }}

),

final as (

    select * from landing_counts
    union all select * from quarantine_reasons
    union all select * from bronze_counts
    union all select * from silver_rules
    union all select * from travel_airline_counts
    union all select * from airline_notes
    union all select * from gold_counts

)

select source, model, stage, step, rule, rows, ordinal
from final
