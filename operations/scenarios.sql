-- What-if operations: do_nothing_scenario(horizon_months), revenue_impact(retention_uplift),
-- single_priority_initiative(budget, cost_per_contact), segment_comparison(a, b).
--
-- All values are in the data's currency over the lifetime-value horizon of this build
-- (customer_clv.horizon_months, var clv_horizon_months, default 12), discounted monthly at
-- customer_clv.discount_rate.

-- The build's CLV horizon, or an error when a caller asks for another one: the per-customer
-- values are computed for that horizon only, and scaling them would be a wrong answer.
create or replace function gold.check_horizon(horizon_months integer)
returns integer
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    built integer;
begin
    select max(c.horizon_months)::integer into built from gold.customer_clv as c;
    if horizon_months is null or horizon_months <> built then
        raise exception 'this build values customers over % months (var clv_horizon_months); got horizon_months = %', built, coalesce(horizon_months::text, 'null')
            using errcode = '22023',
                  hint = format('call with horizon_months => %s, or rebuild with --vars ''{clv_horizon_months: %s}''', built, coalesce(horizon_months::text, built::text));
    end if;
    return built;
end
$$;

-- "What if we do nothing?": the value lost over the horizon to customers who have stopped
-- buying, if none is won back: Σ churn_probability × clv_12m_if_active (each customer would
-- bring clv_12m_if_active if still active and is active with probability p_alive), per RFM
-- segment and in total (segment 'All customers'), largest loss first.
create or replace function gold.do_nothing_scenario(horizon_months integer default 12)
returns table (
    segment text, customers bigint, expected_value double precision, value_if_all_retained double precision,
    value_lost double precision, value_lost_share double precision, months integer
)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    with h as (select gold.check_horizon(horizon_months) as months),
    per_customer as (
        select r.rfm_segment::text as segment, c.clv_12m, c.clv_12m_if_active,
               c.churn_probability * c.clv_12m_if_active as lost
        from gold.customer_clv as c
        join gold.customer_rfm as r on r.customer_id = c.customer_id
    ),
    grouped as (
        select coalesce(segment, 'All customers') as segment, grouping(segment) as is_total,
               count(*) as customers, sum(clv_12m) as expected_value,
               sum(clv_12m_if_active) as value_if_all_retained, sum(lost) as value_lost
        from per_customer
        group by rollup (segment)
    )
    select g.segment, g.customers, g.expected_value, g.value_if_all_retained, g.value_lost,
           g.value_lost / nullif(sum(g.value_lost) filter (where g.is_total = 1) over (), 0),
           h.months
    from grouped as g cross join h
    order by g.is_total desc, g.value_lost desc, g.segment
$$;

-- "What if we retained a share of the customers we would lose?": a retention programme that wins
-- back retention_uplift (0 to 1) of the do-nothing loss adds retention_uplift × do_nothing_loss to
-- the expected value over the horizon.
create or replace function gold.revenue_impact(retention_uplift double precision)
returns table (
    customers bigint, expected_value double precision,
    do_nothing_loss double precision, value_saved double precision,
    expected_value_with_programme double precision, uplift_percent double precision,
    months integer
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if revenue_impact.retention_uplift is null or not (revenue_impact.retention_uplift > 0 and revenue_impact.retention_uplift <= 1) then
        raise exception 'retention_uplift is the share of otherwise lost customers won back, above 0 and at most 1 (0.1 = 10%%), got %',
            coalesce(revenue_impact.retention_uplift::text, 'null')
            using errcode = '22023';
    end if;
    return query
        select count(*), sum(c.clv_12m),
               sum(c.churn_probability * c.clv_12m_if_active),
               revenue_impact.retention_uplift * sum(c.churn_probability * c.clv_12m_if_active),
               sum(c.clv_12m) + revenue_impact.retention_uplift * sum(c.churn_probability * c.clv_12m_if_active),
               100 * revenue_impact.retention_uplift * sum(c.churn_probability * c.clv_12m_if_active) / nullif(sum(c.clv_12m), 0),
               max(c.horizon_months)::integer
        from gold.customer_clv as c;
end
$$;

-- "One initiative, one budget: whom do we contact first?": with the same cost per contact, the
-- most value saved per unit cost comes from contacting customers in order of value at risk
-- (churn_probability × clv_12m, gold.retention_priorities' rank). floor(budget / cost_per_contact)
-- customers are contacted (at most all). One row per RFM segment of the contacted customers and
-- a total row ('All contacted'); value_at_risk_covered is what a fully effective contact saves,
-- the upper bound of the initiative's value.
create or replace function gold.single_priority_initiative(budget double precision, cost_per_contact double precision)
returns table (
    segment text, customers_contacted bigint, cost double precision,
    value_at_risk_covered double precision, value_per_unit_cost double precision,
    share_of_all_value_at_risk double precision, last_rank_contacted bigint
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    contacts bigint;
begin
    if budget is null or not (budget > 0) or cost_per_contact is null or not (cost_per_contact > 0) then
        raise exception 'budget and cost_per_contact must be positive amounts (the data''s currency), got budget = %, cost_per_contact = %',
            coalesce(budget::text, 'null'), coalesce(cost_per_contact::text, 'null')
            using errcode = '22023';
    end if;
    contacts := floor(budget / cost_per_contact)::bigint;
    if contacts < 1 then
        raise exception 'budget % does not pay for one contact at %', budget, cost_per_contact
            using errcode = '22023';
    end if;
    return query
        with everyone as (
            select sum(p.value_at_risk) as total from gold.retention_priorities as p
        ),
        chosen as (
            select p.rank, p.rfm_segment::text as segment, p.value_at_risk
            from gold.retention_priorities as p
            where p.rank <= contacts
        ),
        grouped as (
            select coalesce(c.segment, 'All contacted') as segment, grouping(c.segment) as is_total,
                   count(*) as n, sum(c.value_at_risk) as covered, max(c.rank) as last_rank
            from chosen as c
            group by rollup (c.segment)
        )
        select g.segment, g.n, g.n * cost_per_contact, g.covered, g.covered / (g.n * cost_per_contact),
               g.covered / nullif(e.total, 0), g.last_rank
        from grouped as g cross join everyone as e
        order by g.is_total desc, g.covered desc, g.segment;
end
$$;

-- Two segments side by side, metric by metric: k-means segment names (customer_segments) or RFM
-- segment names (customer_rfm); a name found in neither is an error listing the names.
create or replace function gold.segment_comparison(a text, b text)
returns table (
    metric text, unit text, segment_a double precision, segment_b double precision,
    difference double precision, ratio double precision
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    names text;
    name_a text := segment_comparison.a;
    name_b text := segment_comparison.b;
begin
    for i in 1..2 loop
        if not exists (
            select 1 from gold.customer_segments s where s.segment_name = case i when 1 then name_a else name_b end
            union all
            select 1 from gold.customer_rfm r where r.rfm_segment = case i when 1 then name_a else name_b end
        ) then
            select string_agg(distinct n, ', ') into names from (
                select s.segment_name::text as n from gold.customer_segments s
                union select r.rfm_segment::text from gold.customer_rfm r) as all_names;
            raise exception 'no customer is in segment "%"; segments (k-means and RFM): %',
                coalesce(case i when 1 then name_a else name_b end, 'null'), names
                using errcode = '22023';
        end if;
    end loop;
    return query
        with members as (
            select case when s.segment_name = name_a or r.rfm_segment = name_a then 'a' end as side_a,
                   case when s.segment_name = name_b or r.rfm_segment = name_b then 'b' end as side_b,
                   f.recency_days, f.frequency, f.monetary, f.avg_order_value, f.tenure_days,
                   f.distinct_products, f.return_rate, f.is_active,
                   c.p_alive, c.churn_probability, c.clv_12m, c.expected_purchases_90d
            from gold.customer_features as f
            join gold.customer_segments as s on s.customer_id = f.customer_id
            join gold.customer_rfm as r on r.customer_id = f.customer_id
            join gold.customer_clv as c on c.customer_id = f.customer_id
        ),
        sides as (
            select 'a' as side, m.* from members m where m.side_a is not null
            union all
            select 'b', m.* from members m where m.side_b is not null
        ),
        stats as (
            select side,
                   count(*)::double precision as customers,
                   avg(recency_days)::double precision as recency_days,
                   avg(frequency)::double precision as frequency,
                   avg(monetary)::double precision as monetary,
                   sum(monetary)::double precision as revenue,
                   avg(avg_order_value)::double precision as avg_order_value,
                   avg(tenure_days)::double precision as tenure_days,
                   avg(distinct_products)::double precision as distinct_products,
                   avg(return_rate)::double precision as return_rate,
                   avg(case when is_active then 1.0 else 0.0 end)::double precision as active_share,
                   avg(churn_probability) as churn_probability,
                   avg(clv_12m) as clv_12m,
                   sum(clv_12m) as total_clv_12m,
                   sum(churn_probability * clv_12m) as value_at_risk,
                   avg(expected_purchases_90d) as expected_purchases_90d
            from sides
            group by side
        ),
        metrics (metric, unit, ord) as (
            values ('customers', 'customers', 1), ('recency_days', 'days (mean)', 2),
                   ('frequency', 'orders (mean)', 3), ('monetary', 'currency (mean)', 4),
                   ('revenue', 'currency (total)', 5), ('avg_order_value', 'currency (mean)', 6),
                   ('tenure_days', 'days (mean)', 7), ('distinct_products', 'products (mean)', 8),
                   ('return_rate', 'ratio (mean)', 9), ('active_share', 'share 0-1', 10),
                   ('churn_probability', 'probability (mean)', 11), ('clv_12m', 'currency (mean)', 12),
                   ('total_clv_12m', 'currency (total)', 13), ('value_at_risk', 'currency (total)', 14),
                   ('expected_purchases_90d', 'purchases (mean)', 15)
        ),
        long as (
            select s.side, m.metric, m.unit, m.ord,
                   (to_jsonb(s) ->> m.metric)::double precision as v
            from stats s cross join metrics m
        )
        select la.metric, la.unit, la.v, lb.v, lb.v - la.v, lb.v / nullif(la.v, 0)
        from long la join long lb on lb.metric = la.metric and lb.side = 'b'
        where la.side = 'a'
        order by la.ord;
end
$$;
