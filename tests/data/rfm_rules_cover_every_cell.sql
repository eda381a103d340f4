-- Every one of the 125 RFM cells (r_score, f_score, m_score each 1 to 5) must get exactly one
-- segment from the seed rfm_segment_rules: at least one rule matches it, and only one rule has
-- the winning (lowest) priority. Returns the cells that fail, with the rules that matched.
-- fm_score is computed as in customer_rfm: round((f + m) / 2), halves rounded up.

with cells as (

    select r.score as r_score, f.score as f_score, m.score as m_score, (f.score + m.score + 1) / 2 as fm_score
    from generate_series(1, 5) as r (score)
    cross join generate_series(1, 5) as f (score)
    cross join generate_series(1, 5) as m (score)

),

matches as (

    select
        c.r_score,
        c.f_score,
        c.m_score,
        c.fm_score,
        rules.segment,
        rules.priority,
        min(rules.priority) over (partition by c.r_score, c.f_score, c.m_score) as winning_priority
    from cells as c
    left join {{ ref('rfm_segment_rules') }} as rules
        on c.r_score between rules.r_min and rules.r_max
       and c.fm_score between rules.fm_min and rules.fm_max

)

select
    r_score,
    f_score,
    m_score,
    fm_score,
    count(segment) filter (where priority = winning_priority)  as winning_rules,
    string_agg(segment || ' (priority ' || priority || ')', ', ' order by priority, segment) as matched
from matches
group by r_score, f_score, m_score, fm_score
having count(segment) filter (where priority = winning_priority) <> 1
