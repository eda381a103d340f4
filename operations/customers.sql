-- Customer lists: top_risk_customers(n) and top_value_customers(n). n is 1 to 1000: a list an
-- analyst or an agent reads, not an export (BI tools read gold.retention_priorities for that).
create or replace function gold.check_list_size(n integer)
returns integer
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if n is null or n < 1 or n > 1000 then
        raise exception 'n must be a whole number from 1 to 1000, got %', coalesce(n::text, 'null')
            using errcode = '22023';
    end if;
    return n;
end
$$;

-- Every customer's value, risk and segments in one row: what the customer lists show.
create or replace function gold.customer_rows()
returns table (
    customer_id text, churn_probability double precision, p_alive double precision,
    clv_12m double precision, clv_12m_if_active double precision, value_at_risk double precision,
    expected_purchases_90d double precision, expected_avg_order_value double precision,
    recency_days integer, frequency bigint, monetary numeric, rfm_segment text, kmeans_segment text
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select
        c.customer_id::text, c.churn_probability, c.p_alive, c.clv_12m, c.clv_12m_if_active,
        c.churn_probability * c.clv_12m, c.expected_purchases_90d, c.expected_avg_order_value,
        f.recency_days::integer, f.frequency::bigint, f.monetary::numeric,
        r.rfm_segment::text, s.segment_name::text
    from gold.customer_clv as c
    join gold.customer_features as f on f.customer_id = c.customer_id
    join gold.customer_rfm as r on r.customer_id = c.customer_id
    join gold.customer_segments as s on s.customer_id = c.customer_id
$$;

-- The customers most likely to have churned, most valuable first among equals: churn
-- probability descending, then clv_12m_if_active (what winning them back would be worth).
create or replace function gold.top_risk_customers(n integer default 10)
returns table (
    rank bigint, customer_id text, churn_probability double precision, p_alive double precision,
    clv_12m double precision, clv_12m_if_active double precision, value_at_risk double precision,
    expected_purchases_90d double precision, expected_avg_order_value double precision,
    recency_days integer, frequency bigint, monetary numeric, rfm_segment text, kmeans_segment text
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select row_number() over (order by c.churn_probability desc, c.clv_12m_if_active desc, c.customer_id), c.*
    from gold.customer_rows() as c
    order by 1
    limit gold.check_list_size(n)
$$;

-- The customers with the highest expected value over the CLV horizon (clv_12m).
create or replace function gold.top_value_customers(n integer default 10)
returns table (
    rank bigint, customer_id text, churn_probability double precision, p_alive double precision,
    clv_12m double precision, clv_12m_if_active double precision, value_at_risk double precision,
    expected_purchases_90d double precision, expected_avg_order_value double precision,
    recency_days integer, frequency bigint, monetary numeric, rfm_segment text, kmeans_segment text
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select row_number() over (order by c.clv_12m desc, c.customer_id), c.*
    from gold.customer_rows() as c
    order by 1
    limit gold.check_list_size(n)
$$;
