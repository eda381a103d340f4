-- Every customer of customer_features must have exactly one lifetime-value row, and nobody else
-- may have one. Returns the customers that break this.

with clv_rows as (

    select customer_id, count(*) as rows
    from {{ ref('customer_clv') }}
    group by customer_id

)

select
    coalesce(f.customer_id, c.customer_id)  as customer_id,
    f.customer_id is not null               as in_customer_features,
    coalesce(c.rows, 0)                     as clv_rows
from {{ ref('customer_features') }} as f
full join clv_rows as c on c.customer_id = f.customer_id
where f.customer_id is null
   or c.rows is distinct from 1
