-- Gold: the named RFM segment of each of the 25 (r_score, fm_score) pairs, from the seed
-- rfm_segment_rules: a pair's segment is its first matching rule by priority (ties by name).
-- customer_rfm names its customers from here, and gold.score_customer names a new customer's
-- scores from here too, so both always agree (the BI role cannot read the seed in bronze).

with rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

grid as (

    -- the 25 (r_score, fm_score) pairs
    select r.score as r_score, fm.score as fm_score
    from generate_series(1, 5) as r (score)
    cross join generate_series(1, 5) as fm (score)

),

segment_map as (

    select distinct on (grid.r_score, grid.fm_score)
        grid.r_score,
        grid.fm_score,
        rules.segment
    from grid
    join rules
        on grid.r_score between rules.r_min and rules.r_max
       and grid.fm_score between rules.fm_min and rules.fm_max
    order by grid.r_score, grid.fm_score, rules.priority, rules.segment

)

select * from segment_map
