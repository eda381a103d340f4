-- Analyses of the whole customer base: churn_by_clv_tier(tiers), tenure_analysis(),
-- correlation_drivers(target).

-- Customers cut into `tiers` equal-sized tiers by clv_12m (tier 1 the most valuable; ties in
-- value go to the lower customer_id so the cut is deterministic), with each tier's churn.
create or replace function gold.churn_by_clv_tier(tiers integer default 4)
returns table (
    tier integer, customers bigint, min_clv_12m double precision, max_clv_12m double precision,
    expected_clv_12m double precision, mean_churn_probability double precision,
    churn_rate numeric, value_at_risk double precision, value_at_risk_share double precision
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if tiers is null or tiers < 2 or tiers > 20 then
        raise exception 'tiers must be a whole number from 2 to 20, got %', coalesce(tiers::text, 'null')
            using errcode = '22023';
    end if;
    return query
        with tiered as (
            select c.clv_12m, c.churn_probability, f.is_active,
                   ntile(tiers) over (order by c.clv_12m desc, c.customer_id) as t
            from gold.customer_clv as c
            join gold.customer_features as f on f.customer_id = c.customer_id
        )
        select
            t.t, count(*), min(t.clv_12m), max(t.clv_12m), sum(t.clv_12m), avg(t.churn_probability),
            round(count(*) filter (where not t.is_active)::numeric / count(*), 4),
            sum(t.churn_probability * t.clv_12m),
            sum(t.churn_probability * t.clv_12m) / nullif(sum(sum(t.churn_probability * t.clv_12m)) over (), 0)
        from tiered as t
        group by t.t
        order by t.t;
end
$$;

-- Churn and value by tenure (days since the first purchase), in fixed bands.
create or replace function gold.tenure_analysis()
returns table (
    tenure_band text, min_tenure_days integer, customers bigint, churn_rate numeric,
    mean_churn_probability double precision, mean_monetary numeric, mean_frequency numeric,
    mean_clv_12m double precision, value_at_risk double precision
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    with bands (tenure_band, low, high) as (
        values ('0-90 days', 0, 90), ('91-180 days', 91, 180), ('181-365 days', 181, 365),
               ('1-2 years', 366, 730), ('over 2 years', 731, null)
    )
    select
        b.tenure_band, b.low, count(f.customer_id),
        round(count(*) filter (where not f.is_active)::numeric / nullif(count(f.customer_id), 0), 4),
        avg(c.churn_probability), round(avg(f.monetary), 2), round(avg(f.frequency), 2),
        avg(c.clv_12m), coalesce(sum(c.churn_probability * c.clv_12m), 0)
    from bands as b
    left join gold.customer_features as f
        on f.tenure_days >= b.low and (b.high is null or f.tenure_days <= b.high)
    left join gold.customer_clv as c on c.customer_id = f.customer_id
    group by b.tenure_band, b.low
    order by b.low
$$;

-- Pearson correlation of every numeric customer_features column with a target of customer_clv
-- (churn_probability, clv_12m or p_alive), strongest first. The features are discovered from
-- the view, so a domain's extra features are included.
create or replace function gold.correlation_drivers(target text default 'churn_probability')
returns table (feature text, correlation double precision, customers bigint, feature_description text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    parts text;
begin
    if target is null or target not in ('churn_probability', 'clv_12m', 'p_alive', 'expected_purchases_90d') then
        raise exception 'target must be churn_probability, clv_12m, p_alive or expected_purchases_90d, got %', coalesce(target, 'null')
            using errcode = '22023';
    end if;
    -- one aggregate per feature, in one scan: corr(feature, target) and its non-null count
    select string_agg(format(
               'select %L::text as feature, corr(f.%I::double precision, f.%I) as correlation, count(f.%I) as customers, %L::text as feature_description from base as f',
               a.attname, a.attname, target, a.attname, col_description(a.attrelid, a.attnum)),
           ' union all ' order by a.attnum)
      into parts
    from pg_attribute a
    where a.attrelid = 'gold.customer_features'::regclass and a.attnum > 0 and not a.attisdropped
      and format_type(a.atttypid, a.atttypmod) ~ '^(integer|bigint|smallint|numeric|double precision|real)'
      and a.attname <> 'customer_id';
    return query execute
        'with base as materialized (select f.*, c.churn_probability, c.clv_12m, c.p_alive, c.expected_purchases_90d '
        || 'from gold.customer_features f join gold.customer_clv c on c.customer_id = f.customer_id), '
        || 'features as (' || parts || ') '
        || 'select * from features order by abs(correlation) desc nulls last, feature';
end
$$;
