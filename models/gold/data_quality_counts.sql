{{ config(materialized='view') }}

-- Gold, for the data-quality section of the report: how many rows each step of the path from
-- landing to gold kept or set aside, and why. Counts only, no row of personal data, so the BI
-- role may read it while it may not read silver or bronze.
--
-- A view, not a table: counting every landed line is work proportional to the whole history,
-- so it is done when someone reads the counts (the report), never by a build.

with batches as (

    -- only loads that finished count; a failed load's lines never reach silver
    select lines_read, lines_loaded, lines_rejected
    from {{ ref('load_batches') }}
    where status = 'loaded'

),

landing_counts as (

    select 1 as ordinal, 'landing' as stage, 'read' as step, 'lines read from files' as rule, coalesce(sum(lines_read), 0)::bigint as rows from batches
    union all
    select 2, 'landing', 'kept', 'lines landed', coalesce(sum(lines_loaded), 0)::bigint from batches
    union all
    select 3, 'landing', 'set aside', 'lines quarantined', coalesce(sum(lines_rejected), 0)::bigint from batches

),

quarantine_reasons as (

    select 10 as ordinal, 'landing' as stage, 'quarantined' as step, reason as rule, count(*)::bigint as rows
    from {{ source('landing', 'quarantine') }}
    group by reason

),

bronze_counts as (

    select 20 as ordinal, 'bronze' as stage, 'kept' as step, 'order lines as landed' as rule, count(*)::bigint as rows
    from {{ ref('retail_order_lines') }}

),

silver_rules as (

    -- one row per cleaning rule of stg_retail_order_lines; 'purchase' is what silver keeps
    select
        case when line_status = 'purchase' then 30 else 31 end as ordinal,
        'silver' as stage,
        case when line_status = 'purchase' then 'kept' else 'set aside' end as step,
        line_status as rule,
        count(*)::bigint as rows
    from {{ ref('stg_retail_order_lines') }}
    group by line_status

),

gold_counts as (

    select 40 as ordinal, 'gold' as stage, 'kept' as step, 'customers' as rule, count(*)::bigint as rows
    from {{ ref('customer_features') }}

),

final as (

    select * from landing_counts
    union all select * from quarantine_reasons
    union all select * from bronze_counts
    union all select * from silver_rules
    union all select * from gold_counts

)

select stage, step, rule, rows, ordinal
from final
