-- Every customer must have an RFM segment and a k-means segment. Returns the customers of
-- customer_features that lack one (or have one for a customer that is not in customer_features).

select
    coalesce(f.customer_id, r.customer_id, s.customer_id)  as customer_id,
    f.customer_id is not null                               as in_customer_features,
    r.rfm_segment,
    s.segment_name
from {{ ref('customer_features') }} as f
full join {{ ref('customer_rfm') }} as r on r.customer_id = f.customer_id
full join {{ ref('customer_segments') }} as s on s.customer_id = coalesce(f.customer_id, r.customer_id)
where f.customer_id is null
   or r.rfm_segment is null
   or s.segment_name is null
