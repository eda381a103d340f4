-- Every traveller of traveler_segments has exactly one row (one perk, one arm) in the current
-- experiment of perk_assignments; returns those with none or several.

select s.customer_id, count(a.customer_id) as assignments
from {{ ref('traveler_segments') }} as s
left join {{ ref('perk_assignments') }} as a
    on a.customer_id = s.customer_id and a.experiment = '{{ var("perk_experiment", "perks-2023") }}'
group by s.customer_id
having count(a.customer_id) <> 1
