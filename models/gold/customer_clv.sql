{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}

-- Gold: every customer's lifetime value and churn risk. The TypeScript model clv_predictions
-- fitted the models and computed the purchase predictions once per distinct (x, t_x, age); here
-- every customer is joined to her combination and the Gamma-Gamma spend formula is applied on
-- her own row (docs/clv.md):
--
--   E[M]   = p·(v + x·m) / (p·x + q − 1)     m = mean value of her repeat purchase days
--                                            (x = 0: p·v / (q − 1), the population mean)
--   CLV    = E[M] · discounted_purchases     Σ over the horizon's months of that month's
--                                            expected purchases, discounted at the month's end
--
-- The join reads only the small prediction table, so each customer is computed on its own row
-- (Citus-friendly, no cross-customer work). Each source was fitted on its own customers, so the
-- join matches the source too; a source whose fit failed has no prediction rows, and its
-- customers have no row here (strata_meta.clv_fits says why; docs/clv.md, "Per-source fits").

with summary as (

    select * from {{ ref('customer_clv_summary') }}

),

predictions as (

    select * from {{ ref('clv_predictions') }}

),

-- the unit of the source's amounts (seed value_units): a left join, so a source without a row
-- keeps its customers here and fails the relationships test on customer_clv_summary.source
units as (

    select source, value_unit from {{ ref('value_units') }}

),

valued as (

    select
        s.customer_id,
        s.source,
        p.p_alive,
        p.expected_purchases_90d,
        p.discounted_purchases,
        p.discounted_purchases_if_alive,
        p.gg_p * (p.gg_v + s.x * coalesce(s.repeat_order_value, 0))
            / (p.gg_p * s.x + p.gg_q - 1)                               as expected_avg_order_value,
        p.model,
        p.time_unit,
        p.horizon_months,
        p.discount_rate,
        p.build_id,
        u.value_unit
    from summary as s
    join predictions as p
        on p.source = s.source and p.x = s.x and p.t_x = s.t_x and p.age = s.age
    left join units as u
        on u.source = s.source

),

final as (

    select
        customer_id,

        -- churn
        p_alive,
        1 - p_alive                                                     as churn_probability,

        -- value
        expected_purchases_90d,
        expected_avg_order_value,
        expected_avg_order_value * discounted_purchases                 as clv_12m,
        expected_avg_order_value * discounted_purchases_if_alive        as clv_12m_if_active,
        value_unit,

        -- how: the source whose customers the models were fitted on, and the models
        source,
        model,
        time_unit,
        horizon_months,
        discount_rate,
        build_id

    from valued

)

select * from final
