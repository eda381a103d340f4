-- No landed line is lost or doubled on its way into silver: stg_retail_order_lines holds exactly
-- one row per line of every loaded or retracted batch (each with a line_status), and order_lines and returns
-- hold exactly its purchase and cancellation/return lines. Returns the batches where counts differ.
-- Local to the batch (scope_by): an incremental build checks the batches whose landed, staged or
-- silver rows changed (docs/storage.md, "Tests local to a key").
{{ config(scope_by='batch_id') }}

with landed as (

    select l.batch_id, count(*) as lines
    from {{ ref('retail_order_lines') }} as l
    join {{ ref('load_batches') }} as b on b.batch_id = l.batch_id and b.status in ('loaded', 'retracted')
    group by l.batch_id

),

staged as (

    select
        batch_id,
        count(*)                                                            as lines,
        count(*) filter (where line_status = 'purchase')                    as purchases,
        count(*) filter (where line_status in ('cancellation', 'return'))   as returned
    from {{ ref('stg_retail_order_lines') }}
    group by batch_id

),

purchases as (

    select batch_id, count(*) as lines
    from {{ ref('order_lines') }}
    where source = 'retail_order_lines'
    group by batch_id

),

returned as (

    select batch_id, count(*) as lines
    from {{ ref('returns') }}
    where source = 'retail_order_lines'
    group by batch_id

)

select
    coalesce(l.batch_id, s.batch_id)    as batch_id,
    l.lines                             as landed_lines,
    s.lines                             as staged_lines,
    s.purchases                         as staged_purchases,
    p.lines                             as order_lines,
    s.returned                          as staged_returns,
    r.lines                             as returns
from landed as l
full join staged as s on s.batch_id = l.batch_id
left join purchases as p on p.batch_id = s.batch_id
left join returned as r on r.batch_id = s.batch_id
where l.lines is distinct from s.lines
   or s.purchases <> coalesce(p.lines, 0)
   or s.returned <> coalesce(r.lines, 0)
