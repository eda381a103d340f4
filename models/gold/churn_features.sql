{{
    config(
        materialized='table',
        indexes=[{'columns': ['role', 'customer_id'], 'unique': True}]
    )
}}

-- Gold: the churn model's rows, features known at a date only (docs/airline.md, "The churn model").
--   role 'train': members at the cutoff, labelled. The cutoff is the var churn_cutoff, else the
--     latest one whose horizon has passed: as_of minus churn_horizon_months (12), i.e. 2018-01-01
--     on the Maven files. A member is in it when enrolled before the cutoff and not cancelled
--     before it; label = 1 when the member cancels within the horizon after the cutoff.
--   role 'score': every current member (not cancelled before as_of) with features as of as_of
--     (loyalty_members.as_of); no label. churn_scores scores these.
-- Activity features use the 12 months before the row's date, nothing after it. The data's clv
-- is carried for the priority score but is no feature: it totals every flight ever booked,
-- including those after the cutoff, so it would leak the outcome into training.

with members as (

    select * from {{ ref('loyalty_members') }}

),

dates as (

    select
        as_of,
        {% if var('churn_cutoff', none) %}
        date_trunc('month', cast('{{ var("churn_cutoff", none) }}' as date))::date
        {% else %}
        (as_of - make_interval(months => {{ var('churn_horizon_months', 12) }}))::date
        {% endif %}                                                             as cutoff
    from (select max(as_of) as as_of from members) as latest

),

roles as (

    select 'train'::text as role, cutoff as feature_date from dates
    union all
    select 'score'::text, as_of from dates

),

eligible as (

    select r.role, r.feature_date, m.*
    from roles as r
    join members as m
        on m.enrolled_on < r.feature_date
       and (m.cancelled_on is null or m.cancelled_on >= r.feature_date)

),

activity as (

    select customer_id, period_start, total_flights, distance_km, points_accumulated, points_redeemed
    from {{ ref('stg_airline_flight_activity') }}
    where line_status not in ('duplicate', 'incomplete')

),

windowed as (

    -- the 12 months before each row's date
    select
        e.role,
        e.customer_id,
        coalesce(sum(a.total_flights), 0)                                       as flights_12m,
        coalesce(sum(a.distance_km), 0)                                         as distance_12m,
        coalesce(sum(a.points_accumulated), 0)                                  as points_accumulated_12m,
        coalesce(sum(a.points_redeemed), 0)                                     as points_redeemed_12m,
        count(distinct a.period_start) filter (where a.total_flights > 0)       as months_active_12m,
        max(a.period_start) filter (where a.total_flights > 0)                  as last_flight_month,
        coalesce(sum(a.total_flights) filter (
            where a.period_start >= e.feature_date - interval '3 months'), 0)    as flights_last_quarter,
        coalesce(sum(a.total_flights) filter (
            where a.period_start < e.feature_date - interval '3 months'), 0)     as flights_prior_9m
    from eligible as e
    left join activity as a
        on a.customer_id = e.customer_id
       and a.period_start >= e.feature_date - interval '12 months'
       and a.period_start <  e.feature_date
    group by e.role, e.customer_id

),

final as (

    select
        e.role,
        e.feature_date,
        e.customer_id,
        e.loyalty_number,
        case when e.role = 'train' then
            (e.cancelled_on is not null
             and e.cancelled_on < e.feature_date + make_interval(months => {{ var('churn_horizon_months', 12) }}))::integer
        end                                                                     as label,
        e.clv,

        -- numeric features
        (extract(year from age(e.feature_date, e.enrolled_on)) * 12
         + extract(month from age(e.feature_date, e.enrolled_on)))::float8      as tenure_months,
        w.flights_12m::float8                                                   as flights_12m,
        w.distance_12m::float8                                                  as distance_12m,
        w.points_accumulated_12m::float8                                        as points_accumulated_12m,
        w.points_redeemed_12m::float8                                           as points_redeemed_12m,
        w.months_active_12m::float8                                             as months_active_12m,
        -- months since the last month with a flight (1 = the month before); 13 = none in the window
        coalesce(extract(year from age(e.feature_date, w.last_flight_month)) * 12
                 + extract(month from age(e.feature_date, w.last_flight_month)), 13)::float8
                                                                                as recency_months,
        w.flights_last_quarter::float8                                          as flights_last_quarter,
        -- the last quarter against the three before it, in flights a quarter
        (w.flights_last_quarter - w.flights_prior_9m / 3.0)::float8             as flight_trend,
        e.salary::float8                                                        as salary,
        (e.salary is null)::integer::float8                                     as salary_missing,

        -- categorical features
        e.loyalty_card,
        e.enrollment_type,
        e.gender,
        e.education,
        e.marital_status,
        e.province

    from eligible as e
    join windowed as w on w.role = e.role and w.customer_id = e.customer_id

)

select * from final
