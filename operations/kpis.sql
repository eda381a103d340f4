-- The KPI operations: kpis_baseline(), kpis_slice(dimension, value), summary_by(dimension).
-- One query, gold.kpis_of, serves all three so that a slice and the baseline can never be
-- computed differently: the slice's numbers are the baseline's over fewer customers.
--
-- Definitions (as gold.kpis): a customer is active when customer_features.is_active (a purchase
-- within var churn_days of the as-of time); churn_rate = (customers - active) / customers, 4
-- decimals; orders = Σ frequency; revenue = Σ monetary (the data's currency); average order
-- value = revenue / orders, 2 decimals. From customer_clv: mean churn probability, Σ clv_12m
-- (expected value over the CLV horizon), value at risk Σ churn_probability × clv_12m, the
-- do-nothing loss Σ churn_probability × clv_12m_if_active, and value_unit, the unit of these
-- money columns (one unit, or 'mixed' when sources in different units are added).
create or replace function gold.kpis_of(dimension text, value text)
returns table (
    dimension_value text, customers bigint, share_of_customers double precision,
    active_customers bigint, churn_rate numeric, orders bigint, revenue numeric,
    share_of_revenue double precision, average_order_value numeric,
    mean_churn_probability double precision, expected_clv_12m double precision,
    value_at_risk double precision, do_nothing_loss double precision, value_unit text
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    dim_join text := '';
    dim_value text := 'null::text';
begin
    if kpis_of.dimension is not null then
        dim_join := gold.dimension_join(kpis_of.dimension, 'dim');
        dim_value := gold.dimension_column(kpis_of.dimension, 'dim');
    end if;
    return query execute format($q$
        with base as (
            select f.is_active, f.frequency, f.monetary,
                   c.churn_probability, c.clv_12m, c.clv_12m_if_active, c.value_unit,
                   %s as dim_value
            from gold.customer_features as f
            join gold.customer_clv as c on c.customer_id = f.customer_id
            %s
        ),
        totals as (
            select count(*) as customers, sum(monetary) as revenue from base
        ),
        grouped as (
            select
                dim_value,
                count(*)                                        as customers,
                count(*) filter (where is_active)               as active_customers,
                sum(frequency)::bigint                          as orders,
                sum(monetary)                                   as revenue,
                avg(churn_probability)                          as mean_churn_probability,
                sum(clv_12m)                                    as expected_clv_12m,
                sum(churn_probability * clv_12m)                as value_at_risk,
                sum(churn_probability * clv_12m_if_active)      as do_nothing_loss,
                -- as the macro value_units labels gold's sums: one unit, or 'mixed'
                case when min(value_unit) = max(value_unit) then min(value_unit)
                     when count(value_unit) > 0 then 'mixed' end as value_unit
            from base
            where $1::text is null or dim_value = $1
            group by dim_value
        )
        select
            g.dim_value,
            g.customers,
            g.customers::double precision / t.customers,
            g.active_customers,
            round((g.customers - g.active_customers)::numeric / g.customers, 4),
            g.orders,
            g.revenue,
            (g.revenue / t.revenue)::double precision,
            round(g.revenue / nullif(g.orders, 0), 2),
            g.mean_churn_probability,
            g.expected_clv_12m,
            g.value_at_risk,
            g.do_nothing_loss,
            g.value_unit
        from grouped as g
        cross join totals as t
        order by g.customers desc, g.dim_value
    $q$, dim_value, dim_join) using kpis_of.value;
end
$$;

create or replace function gold.kpis_baseline()
returns table (
    customers bigint, active_customers bigint, churn_rate numeric, orders bigint, revenue numeric,
    average_order_value numeric, mean_churn_probability double precision,
    expected_clv_12m double precision, value_at_risk double precision, do_nothing_loss double precision,
    value_unit text
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select k.customers, k.active_customers, k.churn_rate, k.orders, k.revenue, k.average_order_value,
           k.mean_churn_probability, k.expected_clv_12m, k.value_at_risk, k.do_nothing_loss, k.value_unit
    from gold.kpis_of(null, null) as k
$$;

create or replace function gold.kpis_slice(dimension text, value text)
returns table (
    dimension_value text, customers bigint, share_of_customers double precision,
    active_customers bigint, churn_rate numeric, orders bigint, revenue numeric,
    share_of_revenue double precision, average_order_value numeric,
    mean_churn_probability double precision, expected_clv_12m double precision,
    value_at_risk double precision, do_nothing_loss double precision, value_unit text
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    examples text;
begin
    if kpis_slice.dimension is null or kpis_slice.value is null then
        raise exception 'kpis_slice needs a dimension and a value, e.g. kpis_slice(''country'', ''France'')'
            using errcode = '22004', hint = 'call gold.kpis_baseline() for all customers';
    end if;
    return query select * from gold.kpis_of(kpis_slice.dimension, kpis_slice.value);
    if not found then
        select string_agg(coalesce(s.dimension_value, '(null)'), ', ') into examples
        from (select k.dimension_value from gold.kpis_of(kpis_slice.dimension, null) as k limit 20) as s;
        raise exception 'no customer has % = "%"; values (largest first): %', kpis_slice.dimension, kpis_slice.value, examples
            using errcode = '22023';
    end if;
end
$$;

create or replace function gold.summary_by(dimension text)
returns table (
    dimension_value text, customers bigint, share_of_customers double precision,
    active_customers bigint, churn_rate numeric, orders bigint, revenue numeric,
    share_of_revenue double precision, average_order_value numeric,
    mean_churn_probability double precision, expected_clv_12m double precision,
    value_at_risk double precision, do_nothing_loss double precision, value_unit text
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if summary_by.dimension is null then
        raise exception 'summary_by needs a dimension, e.g. summary_by(''segment'')'
            using errcode = '22004', hint = 'call gold.dimensions() for the dimensions of this build';
    end if;
    return query select * from gold.kpis_of(summary_by.dimension, null);
end
$$;

-- Value at risk per value of a dimension, largest first, with each value's share of the total.
create or replace function gold.value_at_risk_by(dimension text)
returns table (
    dimension_value text, customers bigint, expected_clv_12m double precision,
    value_at_risk double precision, value_at_risk_share double precision,
    do_nothing_loss double precision, mean_churn_probability double precision
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if value_at_risk_by.dimension is null then
        raise exception 'value_at_risk_by needs a dimension, e.g. value_at_risk_by(''rfm_segment'')'
            using errcode = '22004', hint = 'call gold.dimensions() for the dimensions of this build';
    end if;
    return query
        select k.dimension_value, k.customers, k.expected_clv_12m, k.value_at_risk,
               k.value_at_risk / nullif(sum(k.value_at_risk) over (), 0),
               k.do_nothing_loss, k.mean_churn_probability
        from gold.kpis_of(value_at_risk_by.dimension, null) as k
        order by k.value_at_risk desc, k.dimension_value;
end
$$;
