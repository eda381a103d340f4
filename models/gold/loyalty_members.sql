{{
    config(
        materialized='table',
        indexes=[{'columns': ['customer_id'], 'unique': True}]
    )
}}

-- Gold: one row per airline loyalty-programme member (its current profile in
-- silver.stg_airline_members) with the data's own lifetime value and activity features.
-- Activity counts every member-month silver kept (exact duplicates out; months with and without
-- flights in), so points redeemed in months without flights count too.
--
-- The as-of date (when tenure and recency are measured, and what "current" means) is the var
-- churn_as_of when set, else the first day of the month after the latest month in the data (the
-- activity's, or an enrolment or cancellation's): 2019-01-01 on the Maven files. Every airline
-- model reads it from here, so they agree.

with members as (

    select *
    from {{ ref('stg_airline_members') }}
    where member_status = 'current'

),

activity as (

    select customer_id, period_start, total_flights, distance_km, points_accumulated,
           points_redeemed, dollar_cost_points_redeemed
    from {{ ref('stg_airline_flight_activity') }}
    where line_status not in ('duplicate', 'incomplete')

),

as_of as (

    {% if var('churn_as_of', none) %}
    select date_trunc('month', cast('{{ var("churn_as_of", none) }}' as date))::date as as_of
    {% else %}
    select (date_trunc('month', max(latest)) + interval '1 month')::date as as_of
    from (
        select max(period_start) as latest from activity
        union all select max(enrolled_on) from members
        union all select max(cancelled_on) from members
    ) as months
    {% endif %}

),

member_activity as (

    select
        m.customer_id,
        coalesce(sum(a.total_flights), 0)                                       as flights,
        coalesce(sum(a.distance_km), 0)                                         as distance_km,
        coalesce(sum(a.points_accumulated), 0)                                  as points_accumulated,
        coalesce(sum(a.points_redeemed), 0)                                     as points_redeemed,
        coalesce(sum(a.dollar_cost_points_redeemed), 0)                         as dollar_cost_points_redeemed,
        count(distinct a.period_start) filter (where a.total_flights > 0)       as months_active,
        max(a.period_start) filter (where a.total_flights > 0)                  as last_flight_month,
        coalesce(sum(a.total_flights) filter (
            where a.period_start >= o.as_of - interval '3 months'), 0)           as flights_last_quarter,
        coalesce(sum(a.total_flights) filter (
            where a.period_start >= o.as_of - interval '15 months'
              and a.period_start <  o.as_of - interval '12 months'), 0)          as flights_last_quarter_year_before
    from members as m
    cross join as_of as o
    left join activity as a
        on a.customer_id = m.customer_id
       and a.period_start < o.as_of
    group by m.customer_id

),

final as (

    select
        -- the member
        m.customer_id,
        m.loyalty_number,
        m.province,
        m.city,
        m.gender,
        m.education,
        m.salary,
        m.marital_status,
        m.loyalty_card,
        m.clv,
        m.enrollment_type,
        m.enrolled_on,
        m.cancelled_on,
        coalesce(m.cancelled_on < o.as_of, false)                               as is_cancelled,
        o.as_of,
        -- whole months in the programme: to the cancellation, else to the as-of date
        (extract(year from age(coalesce(least(m.cancelled_on, o.as_of), o.as_of), m.enrolled_on)) * 12
         + extract(month from age(coalesce(least(m.cancelled_on, o.as_of), o.as_of), m.enrolled_on)))::integer
                                                                                as tenure_months,

        -- activity
        a.flights,
        a.distance_km,
        a.points_accumulated,
        a.points_redeemed,
        a.dollar_cost_points_redeemed,
        a.months_active,
        a.last_flight_month,
        (extract(year from age(o.as_of, a.last_flight_month)) * 12
         + extract(month from age(o.as_of, a.last_flight_month)))::integer     as recency_months,
        a.flights_last_quarter,
        a.flights_last_quarter_year_before,
        a.flights_last_quarter - a.flights_last_quarter_year_before             as flight_trend,
        -- active: still a member, with a flight in the var loyalty_active_months (12) months before as_of
        (not coalesce(m.cancelled_on < o.as_of, false)
         and coalesce(a.last_flight_month >= o.as_of - make_interval(months => {{ var('loyalty_active_months', 12) }}), false))
                                                                                as is_active

    from members as m
    cross join as_of as o
    join member_activity as a on a.customer_id = m.customer_id

)

select * from final
