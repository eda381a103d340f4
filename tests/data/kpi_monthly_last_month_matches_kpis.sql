-- The last row of kpi_monthly is measured at the as-of time, so its customer base, active
-- customers and churn rate must equal kpis'. Returns the two rows when they differ.

with last_month as (

    select *
    from {{ ref('kpi_monthly') }}
    order by month desc
    limit 1

)

select
    k.as_of, m.period_end,
    k.customers, m.customers as monthly_customers,
    k.active_customers, m.active_customers as monthly_active_customers,
    k.churn_rate, m.churn_rate as monthly_churn_rate
from {{ ref('kpis') }} as k
cross join last_month as m
where k.as_of is distinct from m.period_end
   or k.customers <> m.customers
   or k.active_customers <> m.active_customers
   or k.churn_rate is distinct from m.churn_rate
