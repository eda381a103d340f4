-- Gold: the lifetime-value models this build applied, one row of fitted parameters and settings
-- per source that has lifetime value (each source is fitted on its own customers; a source whose
-- fit failed has no row, see strata_meta.clv_fits), so that SQL can score a customer who is not in gold yet (gold.score_customer) with
-- exactly the arithmetic clv_predictions and customer_clv used. The parameters come from the
-- build's record in strata_meta.clv_fits (written by clv_predictions; JSON numbers, which read
-- back as the same doubles), the settings and spend parameters from clv_predictions itself.
--
-- Time conversions, as scripts/clv/settings.ts and predict.ts make them:
--   short_horizon       = 90 days in the fit's unit (expected_purchases_90d); for a discrete
--                         source (time unit calendar_month) the next 3 whole opportunities
--   units_per_month     = 365.25 / 12 days in the fit's unit (the months of the CLV horizon); 1
--                         opportunity for a discrete source

with applied as (

    -- the same on every row of a source in clv_predictions
    select distinct on (source)
        source, model, time_unit, horizon_months, discount_rate, gg_p, gg_q, gg_v, build_id
    from {{ ref('clv_predictions') }}
    order by source

),

fits as (

    select build_id, source, model, params
    from {{ source('strata_meta', 'clv_fits') }}

),

final as (

    select
        a.source,
        a.model,
        a.time_unit,

        -- the purchase model: BG/NBD and MBG/NBD use r, alpha, a, b; Pareto/NBD r, alpha, s, beta;
        -- BG/BB alpha, beta (transaction probability) and gamma, delta (drop-out probability), or
        -- theta when the fit's drop-out Beta collapsed to one probability for everyone (fit.ts)
        (f.params ->> 'r')::double precision                             as r,
        (f.params ->> 'alpha')::double precision                         as alpha,
        (f.params ->> 'a')::double precision                             as a,
        (f.params ->> 'b')::double precision                             as b,
        (f.params ->> 's')::double precision                             as s,
        (f.params ->> 'beta')::double precision                          as beta,
        (f.params ->> 'gamma')::double precision                         as gamma,
        (f.params ->> 'delta')::double precision                         as delta,

        -- the BG/BB's drop-out by mean and polarisation, the two numbers its SQL formulas take
        -- (bgbb.ts dropOut: gamma / (gamma + delta) and 1 / (gamma + delta), the same doubles;
        -- theta and 0 where every customer has the same drop-out probability)
        case when f.model = 'bgbb'
             then coalesce((f.params ->> 'theta')::double precision,
                           (f.params ->> 'gamma')::double precision
                           / ((f.params ->> 'gamma')::double precision + (f.params ->> 'delta')::double precision))
        end                                                               as dropout,
        case when f.model = 'bgbb'
             then coalesce(1 / ((f.params ->> 'gamma')::double precision + (f.params ->> 'delta')::double precision), 0)
        end                                                               as dropout_polarisation,

        -- the Gamma-Gamma spend model
        a.gg_p,
        a.gg_q,
        a.gg_v,

        -- the horizons
        case when a.time_unit = 'calendar_month' then 3
             else 90 / case a.time_unit when 'day' then 1 when 'week' then 7
                                        else 365.25::double precision / 12 end
        end                                                               as short_horizon,
        case a.time_unit when 'day' then 365.25::double precision / 12
                         when 'week' then 365.25::double precision / 12 / 7
                         else 1 end                                       as units_per_month,
        a.horizon_months,
        a.discount_rate,
        a.build_id

    from applied as a
    join fits as f
        on f.build_id = a.build_id
       and f.source = a.source
       and f.model = a.model

)

select * from final
