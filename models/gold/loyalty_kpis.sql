{{ config(materialized='table') }}

-- Gold: the airline dashboard's KPIs for all members and by each dimension it filters on
-- (province, card tier, gender, enrolment type): one row per (dimension, value). Each dimension's
-- rows add up to the 'all' row for the counts and sums (tested in
-- tests/integration/airline.test.ts against a hand-written query over landing).

with members as (

    select * from {{ ref('loyalty_members') }}

),

grouped as (

    select
        case
            when grouping(province) = 0        then 'province'
            when grouping(loyalty_card) = 0    then 'loyalty_card'
            when grouping(gender) = 0          then 'gender'
            when grouping(enrollment_type) = 0 then 'enrollment_type'
            else 'all'
        end                                                         as dimension,
        case
            when grouping(province) = 0        then province
            when grouping(loyalty_card) = 0    then loyalty_card
            when grouping(gender) = 0          then gender
            when grouping(enrollment_type) = 0 then enrollment_type
            else 'All members'
        end                                                         as value,
        count(*)                                                    as members,
        count(*) filter (where is_active)                           as active_members,
        count(*) filter (where is_cancelled)                        as cancelled_members,
        count(*) filter (where is_cancelled)::numeric / count(*)    as cancellation_rate,
        sum(clv)                                                    as clv_total,
        avg(clv)                                                    as average_clv,
        sum(flights)                                                as flights,
        sum(distance_km)                                            as distance_km,
        sum(points_accumulated)                                     as points_accumulated,
        sum(points_redeemed)                                        as points_redeemed
    from members
    group by grouping sets ((), (province), (loyalty_card), (gender), (enrollment_type))
    -- without members (a project with no airline data) there is nothing to report, not a row of zeros
    having count(*) > 0

)

select * from grouped
