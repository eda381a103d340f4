-- Every traveller of traveler_segments has exactly one row (one perk, one arm) in the current
-- experiment of perk_assignments, not withdrawn; and a row is withdrawn exactly when its traveller
-- is no longer in traveler_segments (their user row was retracted). Returns the travellers with
-- none or several rows, and the rows whose flag is wrong.

select s.customer_id, count(a.customer_id) as assignments
from {{ ref('traveler_segments') }} as s
left join {{ ref('perk_assignments') }} as a
    on a.customer_id = s.customer_id and a.experiment = '{{ var("perk_experiment", "perks-2023") }}'
    and not a.withdrawn
group by s.customer_id
having count(a.customer_id) <> 1

union all

select a.customer_id, 1
from {{ ref('perk_assignments') }} as a
left join {{ ref('traveler_segments') }} as s on s.customer_id = a.customer_id
where a.experiment = '{{ var("perk_experiment", "perks-2023") }}'
  and a.withdrawn = (s.customer_id is not null)
