-- No landed airline row is lost or doubled on its way into silver: per loaded batch (and, for the
-- activity, per retracted one: its rows stay, as 'retracted'), the staging models hold exactly one
-- row per landed row (each with its status), and silver.order_lines holds exactly the activity
-- staging's purchase rows. Returns the batches where counts differ.

with landed as (

    select a.batch_id, count(*) as rows
    from {{ ref('airline_flight_activity') }} as a
    join {{ ref('load_batches') }} as b on b.batch_id = a.batch_id and b.status in ('loaded', 'retracted')
    group by a.batch_id
    union all
    select m.batch_id, count(*)
    from {{ ref('airline_members') }} as m
    join {{ ref('load_batches') }} as b on b.batch_id = m.batch_id and b.status = 'loaded'
    group by m.batch_id

),

staged as (

    select batch_id, count(*) as rows, count(*) filter (where line_status = 'purchase') as purchases
    from {{ ref('stg_airline_flight_activity') }}
    group by batch_id
    union all
    select batch_id, count(*), 0
    from {{ ref('stg_airline_members') }}
    group by batch_id

),

purchases as (

    select batch_id, count(*) as lines
    from {{ ref('order_lines') }}
    where source = 'stg_airline_flight_activity'
    group by batch_id

)

select
    coalesce(l.batch_id, s.batch_id)    as batch_id,
    l.rows                              as landed_rows,
    s.rows                              as staged_rows,
    s.purchases                         as staged_purchases,
    p.lines                             as order_lines
from landed as l
full join staged as s on s.batch_id = l.batch_id
left join purchases as p on p.batch_id = s.batch_id
where l.rows is distinct from s.rows
   or s.purchases <> coalesce(p.lines, 0)
