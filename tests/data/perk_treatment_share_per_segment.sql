-- Within every segment (stratum) of the current experiment, the treatment share of the
-- travellers not held out is floor(share × n) / n: within one traveller of the configured share
-- (perk_assignments' stratified assignment). Returns the strata where it is not.

select
    stratum_segment_id,
    count(*)                                        as travellers,
    count(*) filter (where arm = 'treatment')       as treated
from {{ ref('perk_assignments') }}
where experiment = '{{ var("perk_experiment", "perks-2023") }}' and arm <> 'holdout'
group by stratum_segment_id
having count(*) filter (where arm = 'treatment') <> floor({{ var('perk_treatment_share', 0.5) }} * count(*))
