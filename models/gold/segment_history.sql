{{
    config(
        materialized='snapshot',
        unique_key='customer_id',
        strategy='check',
        check_cols=['rfm_segment', 'segment_name'],
        hard_deletes='invalidate',
        indexes=[{'columns': ['customer_id', 'dbt_valid_from']}]
    )
}}

-- Gold: every customer's RFM segment and k-means segment over time, as a slowly changing
-- dimension type 2. Each build compares the current segments with the newest version of each
-- customer; when either segment changed, the old version is closed (dbt_valid_to = build time)
-- and a new one opened. The current version has dbt_valid_to null. A customer who leaves the
-- data has their current version closed (hard_deletes: invalidate).
--
-- Who moved from Champions to At Risk, and when:
--   select cur.customer_id, cur.dbt_valid_from as moved_at
--   from gold.segment_history as cur
--   join gold.segment_history as prev
--     on prev.customer_id = cur.customer_id and prev.dbt_valid_to = cur.dbt_valid_from
--   where prev.rfm_segment = 'Champions' and cur.rfm_segment = 'At Risk';

select
    r.customer_id,
    r.rfm_segment,
    s.segment_id,
    s.segment_name
from {{ ref('customer_rfm') }} as r
left join {{ ref('customer_segments') }} as s on s.customer_id = r.customer_id
