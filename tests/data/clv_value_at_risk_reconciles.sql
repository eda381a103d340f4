-- The value at risk must add up: for each segment kind of value_at_risk (rfm, kmeans, all), the
-- customers and the sums of expected value, value at risk and "do nothing" loss must equal the
-- same sums over customer_clv (within 1e-9 relative, for the order of floating-point addition),
-- and retention_priorities must rank every customer once with the same values. Returns the
-- measures that disagree.

with customers as (

    select
        count(*)                                            as customers,
        sum(clv_12m)                                        as expected_clv_12m,
        sum(churn_probability * clv_12m)                    as value_at_risk,
        sum(churn_probability * clv_12m_if_active)         as do_nothing_loss
    from {{ ref('customer_clv') }}

),

by_kind as (

    select
        'value_at_risk ' || segment_kind                    as source,
        sum(customers)                                      as customers,
        sum(expected_clv_12m)                               as expected_clv_12m,
        sum(value_at_risk)                                  as value_at_risk,
        sum(do_nothing_loss)                                as do_nothing_loss
    from {{ ref('value_at_risk') }}
    group by segment_kind

    union all

    select
        'retention_priorities',
        count(*),
        sum(clv_12m),
        sum(value_at_risk),
        null
    from {{ ref('retention_priorities') }}

)

select k.*, c.customers as clv_customers, c.expected_clv_12m as clv_expected, c.value_at_risk as clv_value_at_risk,
       c.do_nothing_loss as clv_do_nothing_loss
from by_kind as k
cross join customers as c
where k.customers <> c.customers
   or abs(k.expected_clv_12m - c.expected_clv_12m) > 1e-9 * greatest(abs(c.expected_clv_12m), 1)
   or abs(k.value_at_risk - c.value_at_risk) > 1e-9 * greatest(abs(c.value_at_risk), 1)
   or (k.do_nothing_loss is not null
       and abs(k.do_nothing_loss - c.do_nothing_loss) > 1e-9 * greatest(abs(c.do_nothing_loss), 1))
