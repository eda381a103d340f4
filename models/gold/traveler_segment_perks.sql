-- Gold: one row per traveller segment with the perk its travellers are offered and why, from the
-- editable seeds perk_rules (segment → perk) and perks (the catalogue). A segment takes the rule
-- with the lowest priority whose segment_pattern matches its name (SQL LIKE). A segment no rule
-- matches has no row here, and the test every_traveler_segment_has_one_perk fails the build.

with segments as (

    select segment_id, segment_name, customers_in_sample, share_in_sample
    from {{ ref('traveler_segment_centres') }}

),

matches as (

    select
        s.segment_id,
        r.perk_id,
        r.reason,
        r.segment_pattern,
        row_number() over (partition by s.segment_id order by r.priority, r.segment_pattern) as preference
    from segments as s
    join {{ ref('perk_rules') }} as r on s.segment_name like r.segment_pattern

),

final as (

    select
        s.segment_id,
        s.segment_name,
        m.perk_id,
        p.perk_name,
        p.description       as perk_description,
        m.reason,
        m.segment_pattern   as matched_rule,
        s.share_in_sample
    from segments as s
    join matches as m on m.segment_id = s.segment_id and m.preference = 1
    join {{ ref('perks') }} as p on p.perk_id = m.perk_id

)

select * from final
