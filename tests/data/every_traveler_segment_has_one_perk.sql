-- Every traveller segment maps to exactly one known perk (seeds perk_rules and perks): returns the
-- segments no rule matches or whose perk is unknown. (traveler_segment_perks keeps one winning
-- rule per segment; its tests check uniqueness.)

select c.segment_id, c.segment_name, p.perk_id
from {{ ref('traveler_segment_centres') }} as c
left join {{ ref('traveler_segment_perks') }} as p on p.segment_id = c.segment_id
where p.perk_id is null
   or not exists (select 1 from {{ ref('perks') }} as k where k.perk_id = p.perk_id)
