-- gold.score_customer(customer jsonb): scores a customer who is not in gold yet (or re-scores one
-- who is) from the published build's fitted parameters, with the same arithmetic as the models:
--
--   k-means   the transform and centres of gold.segment_centres, applied as customer_segments
--             does (ln(1 + x) for logged features, standardised, nearest centre, ties to the
--             lower id); the features are segment_centres' own (var segment_features)
--   RFM       each score is 1 + floor(5 × w / n), w = published customers with a strictly worse
--             value, n = all published customers (macros/rfm_score.sql); the segment from
--             gold.rfm_segment_map
--   CLV       p_alive, expected purchases and discounted value from gold.clv_parameters with the
--             formulas of operations/clv_formulas.sql (the BG/BB's for a discrete source, whose
--             x, t_x and age count calendar months); E[M] and CLV as customer_clv
--
-- For a customer already in gold, scoring her own features returns exactly her gold row (the
-- CLV to 1e-9). gold.score_customer_inputs() lists the keys.

create or replace function gold.score_customer_inputs()
returns table (key text, required boolean, description text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    with features as (
        select substr(a.attname, 3) as key, a.attnum
        from pg_attribute a
        where a.attrelid = 'gold.segment_centres'::regclass and a.attname like 'c\_%' and not a.attisdropped
    ),
    rfm (key, ord, description) as (
        values ('recency_days', 1, 'Whole days from the last purchase to the as-of time (RFM recency).'),
               ('frequency', 2, 'Number of orders (RFM frequency).'),
               ('monetary', 3, 'Total spend (RFM monetary).')
    ),
    clv (key, ord, description) as (
        values ('x', 1, 'Repeat purchase days: distinct purchase days - 1 (as customer_clv_summary).'),
               ('t_x', 2, 'Time from the first to the last purchase, in the fit''s time unit (gold.clv_parameters.time_unit).'),
               ('age', 3, 'Time from the first purchase to the as-of day, in the same unit (T in the papers), at least 1; for a discrete source (time unit calendar_month) n, the calendar months after the first, at least 0.'),
               ('repeat_order_value', 4, 'Mean value of the repeat purchase days; null when x = 0.'),
               ('source', 5, 'Text: the source whose lifetime-value models score the customer (gold.clv_parameters.source); omitted, the source with the most customers in gold.customer_clv_summary.')
    )
    select r.key, true, r.description from rfm r
    union all
    select f.key, true, coalesce(col_description('gold.customer_features'::regclass,
                                  (select attnum from pg_attribute where attrelid = 'gold.customer_features'::regclass and attname = f.key)),
                                 'A k-means feature (customer_features.' || f.key || ').') || ' (k-means feature; null counts as the mean)'
    from features f where f.key not in (select key from rfm)
    union all
    select c.key, c.key not in ('repeat_order_value', 'source'), c.description from clv c
$$;

create or replace function gold.score_customer(customer jsonb)
returns table (
    segment_id integer, segment_name text, segment_distance double precision,
    r_score integer, f_score integer, m_score integer, fm_score integer, rfm_cell text, rfm_segment text,
    p_alive double precision, churn_probability double precision, expected_purchases_90d double precision,
    expected_avg_order_value double precision, clv_12m double precision, clv_12m_if_active double precision,
    model text, build_id bigint
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    missing text;
    wrong text;
    features text[];
    feature_values double precision[];
    nearest record;
    kmeans_sql text;
    params record;
    scores record;
    x double precision;
    t_x double precision;
    age double precision;
    repeat_value double precision;
    alive_now double precision;
    discounted double precision := 0;
    before double precision := 0;
    up_to double precision;
    order_value double precision;
begin
    if customer is null or jsonb_typeof(customer) <> 'object' then
        raise exception 'score_customer needs a JSON object of the customer''s features, e.g. {"recency_days": 12, "frequency": 3, ...}'
            using errcode = '22023', hint = 'gold.score_customer_inputs() lists the keys';
    end if;
    select string_agg(i.key, ', ') into missing
    from gold.score_customer_inputs() i where i.required and not customer ? i.key;
    if missing is not null then
        raise exception 'score_customer: missing %', missing
            using errcode = '22023', hint = 'gold.score_customer_inputs() lists the keys and what they mean';
    end if;
    select string_agg(format('%s = %s', i.key, customer -> i.key), ', ') into wrong
    from gold.score_customer_inputs() i
    where customer ? i.key and i.key <> 'source' and jsonb_typeof(customer -> i.key) not in ('number', 'null');
    if wrong is not null then
        raise exception 'score_customer: not a number: %', wrong using errcode = '22023';
    end if;
    select string_agg(k, ', ') into wrong
    from unnest(array['recency_days', 'frequency', 'monetary', 'x', 't_x', 'age']) as k
    where jsonb_typeof(customer -> k) <> 'number';
    if wrong is not null then
        raise exception 'score_customer: % must not be null', wrong using errcode = '22023';
    end if;

    -- the purchase summary, checked as customer_clv_summary's tests check it
    x := (customer ->> 'x')::double precision;
    t_x := (customer ->> 't_x')::double precision;
    age := (customer ->> 'age')::double precision;
    repeat_value := (customer ->> 'repeat_order_value')::double precision;
    -- (age >= 1 for the continuous-time models, and the BG/BB's grid rules, once the source's model is known)
    if x < 0 or x <> floor(x) or t_x < 0 or age < 0 or t_x > age or (x = 0 and t_x <> 0) then
        raise exception 'score_customer: the purchase summary must have x a whole number >= 0, 0 <= t_x <= age, age >= 1 and t_x = 0 when x = 0; got x = %, t_x = %, age = %', x, t_x, age
            using errcode = '22023';
    end if;
    if x > 0 and repeat_value is null then
        raise exception 'score_customer: repeat_order_value is needed when x > 0 (x = %)', x using errcode = '22023';
    end if;

    -- k-means: customer_segments' arithmetic on the given features
    select array_agg(substr(a.attname, 3) order by a.attnum) into features
    from pg_attribute a
    where a.attrelid = 'gold.segment_centres'::regclass and a.attname like 'c\_%' and not a.attisdropped;
    select array_agg((customer ->> f)::double precision order by i) into feature_values
    from unnest(features) with ordinality as u(f, i);
    select format($q$
        with transform as (select %s from gold.segment_centres limit 1),
        standardised as (select %s from transform as t)
        select c.segment_id, c.segment_name::text as segment_name, sqrt(%s) as distance
        from standardised as s cross join gold.segment_centres as c
        order by %s, c.segment_id
        limit 1 $q$,
        string_agg(format('log1p_%1$s, mean_%1$s, sd_%1$s', f), ', ' order by i),
        string_agg(format('coalesce(((case when t.%1$I then ln(1 + case when $1[%2$s] < 0 then 0 else $1[%2$s] end) else $1[%2$s] end) - t.%3$I) / t.%4$I, 0) as %5$I',
                          'log1p_' || f, i, 'mean_' || f, 'sd_' || f, 'z_' || f), ', ' order by i),
        string_agg(format('(s.%I - c.%I) ^ 2', 'z_' || f, 'c_' || f), ' + ' order by i),
        string_agg(format('(s.%I - c.%I) ^ 2', 'z_' || f, 'c_' || f), ' + ' order by i))
    into kmeans_sql
    from unnest(features) with ordinality as u(f, i);
    execute kmeans_sql into nearest using feature_values;

    -- RFM: the share of published customers with a strictly worse value
    select
        (1 + (5 * count(*) filter (where r.recency_days > (customer ->> 'recency_days')::numeric)) / count(*))::integer as r,
        (1 + (5 * count(*) filter (where r.frequency < (customer ->> 'frequency')::numeric)) / count(*))::integer as f,
        (1 + (5 * count(*) filter (where r.monetary < (customer ->> 'monetary')::numeric)) / count(*))::integer as m
    into scores
    from gold.customer_rfm as r;

    -- lifetime value: the models of the customer's source (each source is fitted on its own)
    select p.* into params
    from gold.clv_parameters as p
    where p.source = coalesce(customer ->> 'source',
                              (select s.source from gold.customer_clv_summary as s
                               group by s.source order by count(*) desc, s.source limit 1));
    if not found then
        raise exception 'score_customer: source % has no lifetime value in the published build', coalesce(customer ->> 'source', '(the largest)')
            using errcode = '22023', hint = 'gold.clv_parameters lists the sources that have one; a source whose fit failed has none';
    end if;
    if params.model = 'bgbb' then
        -- a discrete source (time unit calendar_month): x, t_x and age (n) count calendar months
        if t_x <> floor(t_x) or age <> floor(age) or t_x < x then
            raise exception 'score_customer: source % counts calendar months (BG/BB): x, t_x and age must be whole numbers with x <= t_x <= age; got x = %, t_x = %, age = %', params.source, x, t_x, age
                using errcode = '22023';
        end if;
        alive_now := gold.clv_bgbb_p_alive(params.alpha, params.beta, params.dropout, params.dropout_polarisation, x, t_x, age);
    else
        if age < 1 then
            raise exception 'score_customer: the purchase summary must have x a whole number >= 0, 0 <= t_x <= age, age >= 1 and t_x = 0 when x = 0; got x = %, t_x = %, age = %', x, t_x, age
                using errcode = '22023';
        end if;
        alive_now := gold.clv_p_alive(params.model, params.r, params.alpha, params.a, params.b, params.s, params.beta, x, t_x, age);
    end if;
    for month in 1..params.horizon_months loop
        up_to := case when params.model = 'bgbb'
                      then gold.clv_bgbb_expected_if_alive(params.alpha, params.beta, params.dropout, params.dropout_polarisation, x, age, month)
                      else gold.clv_expected_if_alive(params.model, params.r, params.alpha, params.a, params.b, params.s, params.beta, x, age, month * params.units_per_month) end;
        discounted := discounted + (up_to - before) / (1 + params.discount_rate) ^ month;
        before := up_to;
    end loop;
    order_value := params.gg_p * (params.gg_v + x * coalesce(repeat_value, 0)) / (params.gg_p * x + params.gg_q - 1);

    segment_id := nearest.segment_id;
    segment_name := nearest.segment_name;
    segment_distance := nearest.distance;
    r_score := scores.r;
    f_score := scores.f;
    m_score := scores.m;
    fm_score := (scores.f + scores.m + 1) / 2;
    rfm_cell := concat(scores.r, scores.f, scores.m);
    select sm.segment into rfm_segment from gold.rfm_segment_map sm where sm.r_score = scores.r and sm.fm_score = (scores.f + scores.m + 1) / 2;
    p_alive := alive_now;
    churn_probability := 1 - alive_now;
    expected_purchases_90d := alive_now * case when params.model = 'bgbb'
        then gold.clv_bgbb_expected_if_alive(params.alpha, params.beta, params.dropout, params.dropout_polarisation, x, age, params.short_horizon::integer)
        else gold.clv_expected_if_alive(params.model, params.r, params.alpha, params.a, params.b, params.s, params.beta, x, age, params.short_horizon) end;
    expected_avg_order_value := order_value;
    clv_12m := order_value * (alive_now * discounted);
    clv_12m_if_active := order_value * discounted;
    model := params.model;
    build_id := params.build_id;
    return next;
end
$$;
