{{ config(severity='warn') }}
-- Warns, in the build summary, for every source of customer_clv_summary that has no lifetime
-- value in this build: its purchase or spend fit failed (did not converge, too few repeat
-- customers, q <= 1), so clv_predictions wrote no rows for it and its customers are published
-- without lifetime value (docs/clv.md, "Per-source fits"). Returns the source, its customers,
-- and the failed model and reason from strata_meta.clv_fits (this build's record: the newest
-- for the source, written by this build's clv_predictions before any test runs).

with fitted_sources as (

    select distinct source
    from {{ ref('clv_predictions') }}

),

sources as (

    select source, count(*) as customers
    from {{ ref('customer_clv_summary') }}
    group by source

),

newest as (

    select source, max(build_id) as build_id
    from {{ source('strata_meta', 'clv_fits') }}
    group by source

),

failures as (

    select f.source, f.build_id, f.model, f.error
    from {{ source('strata_meta', 'clv_fits') }} as f
    join newest as n on n.source = f.source and n.build_id = f.build_id
    where not f.converged

)

select
    s.source,
    s.customers,
    f.model,
    f.build_id,
    f.error                                     as reason
from sources as s
left join failures as f on f.source = s.source
where s.source not in (select source from fitted_sources)
order by s.source
