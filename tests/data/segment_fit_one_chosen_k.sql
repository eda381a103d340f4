-- Exactly one candidate k of the segment fit is chosen, and segment_centres has that many
-- segments. Returns a row when not.

with chosen as (

    select count(*) filter (where chosen) as chosen_rows, max(k) filter (where chosen) as chosen_k
    from {{ ref('segment_fit_candidates') }}

),

centres as (

    select count(*) as segments
    from {{ ref('segment_centres') }}

)

select chosen.chosen_rows, chosen.chosen_k, centres.segments
from chosen
cross join centres
where chosen.chosen_rows <> 1
   or chosen.chosen_k is distinct from centres.segments
