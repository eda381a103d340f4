-- Silver, source-neutral: the lines of retracted batches (npm run load -- --retract), one row per
-- line, from every source's staging model. orders and customers read it to find the invoices and
-- customers a retraction touched; nothing else counts these lines.

with retail as (

    select
        'retail_order_lines'::text  as source,
        batch_id,
        source_line,
        invoice_no,
        customer_id
    from {{ ref('stg_retail_order_lines') }}
    where line_status = 'retracted'

),

-- a new source: a CTE like `retail` over its staging model, added to `unioned` with union all

unioned as (

    select * from retail

)

select * from unioned
