-- Gold: where customers' current segments came from. For each segmentation (rfm, kmeans), the
-- customers whose segment has changed at least once are counted by the segment they were in
-- before (from_segment) and the segment they are in at present (to_segment), with when they
-- moved. (Worded so: a build never keeps a model whose SQL, comments included, seems to call the
-- clock, execute/keep-unchanged.ts; this one is a function of segment_history alone.)
--
-- From segment_history: per customer and kind, the versions are read in order and the latest
-- change of that kind's segment is taken; a version that changed only the other kind's segment
-- is not a move of this kind. Only customers with a current version count. A move from or to
-- no segment (e.g. before the first k-means build) is not a migration.
-- Empty after the first build, which has nothing to compare with.

with history as (

    select customer_id, rfm_segment, segment_name, dbt_valid_from, dbt_valid_to
    from {{ ref('segment_history') }}

),

current_customers as (

    select customer_id
    from history
    where dbt_valid_to is null

),

steps as (

    select
        customer_id,
        dbt_valid_from                                                              as moved_at,
        lag(rfm_segment) over (partition by customer_id order by dbt_valid_from)    as previous_rfm,
        rfm_segment,
        lag(segment_name) over (partition by customer_id order by dbt_valid_from)   as previous_kmeans,
        segment_name
    from history

),

moves as (

    select customer_id, 'rfm'::text as segment_kind, previous_rfm as from_segment, rfm_segment as to_segment, moved_at
    from steps
    where previous_rfm is distinct from rfm_segment

    union all

    select customer_id, 'kmeans'::text, previous_kmeans, segment_name, moved_at
    from steps
    where previous_kmeans is distinct from segment_name

),

latest_moves as (

    select distinct on (m.customer_id, m.segment_kind)
        m.customer_id,
        m.segment_kind,
        m.from_segment,
        m.to_segment,
        m.moved_at
    from moves as m
    join current_customers as c on c.customer_id = m.customer_id
    order by m.customer_id, m.segment_kind, m.moved_at desc

),

final as (

    select
        segment_kind,
        from_segment,
        to_segment,
        count(*)            as customers,
        min(moved_at)       as first_moved_at,
        max(moved_at)       as last_moved_at
    from latest_moves
    where from_segment is not null
      and to_segment is not null
    group by segment_kind, from_segment, to_segment

)

select * from final
