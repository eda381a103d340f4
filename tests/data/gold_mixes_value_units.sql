{{ config(severity='warn') }}
-- Warns, in the build summary, when customers of sources with different value units share this
-- database (seed value_units: Online Retail in GBP, TravelTide in USD, the airline in km). Gold
-- is computed over every customer: the figures that add or compare customers' values then add
-- pounds to kilometres, and those rows say value_unit 'mixed' (kpis and kpi_monthly revenue,
-- value_at_risk, the order of retention_priorities, the RFM monetary score and the k-means
-- segments). Per-customer figures stay right, each in its source's unit (customer_clv.value_unit).
-- One business per database keeps every total in one unit (docs/clv.md, "Value units").
-- Returns one row per unit: its sources and customers.

with customers as (

    select s.source, u.value_unit
    from {{ ref('customer_clv_summary') }} as s
    join {{ ref('value_units') }} as u on u.source = s.source

),

units as (

    select
        value_unit,
        string_agg(distinct source, ', ' order by source)   as sources,
        count(*)                                            as customers
    from customers
    group by value_unit

)

select value_unit, sources, customers
from units
where (select count(*) from units) > 1
order by value_unit
