-- Every customer of customer_features whose source has lifetime value in this build (a row in
-- clv_predictions) must have exactly one customer_clv row, and nobody else may have one: not a
-- customer missing from customer_features, nor one of a source whose fit failed (published
-- without lifetime value; docs/clv.md, "Per-source fits"). Returns the customers that break this.

with clv_rows as (

    select customer_id, count(*) as rows
    from {{ ref('customer_clv') }}
    group by customer_id

),

fitted_sources as (

    select distinct source
    from {{ ref('clv_predictions') }}

),

expected as (

    -- a customer missing from the summary has no source: she is expected, and caught below
    select
        f.customer_id,
        s.source,
        s.source is null or s.source in (select source from fitted_sources)    as has_clv
    from {{ ref('customer_features') }} as f
    left join {{ ref('customer_clv_summary') }} as s on s.customer_id = f.customer_id

)

select
    coalesce(e.customer_id, c.customer_id)  as customer_id,
    e.source,
    e.customer_id is not null               as in_customer_features,
    coalesce(c.rows, 0)                     as clv_rows
from expected as e
full join clv_rows as c on c.customer_id = e.customer_id
where e.customer_id is null
   or (e.has_clv and c.rows is distinct from 1)
   or (not e.has_clv and c.rows is not null)
