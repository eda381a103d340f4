{{
    config(
        materialized='table',
        indexes=[{'columns': ['customer_id'], 'unique': True}, {'columns': ['priority_rank']}]
    )
}}

-- Gold: every current airline member scored by the churn model, in SQL, from the coefficients
-- the TypeScript model churn_coefficients fitted (one row per term). For a member with features x:
--     logit = intercept + Σ numeric  coefficient × (x - mean) / sd      (missing x: the mean, 0)
--                       + Σ indicator coefficient × [x = level]
--     churn_probability = 1 / (1 + exp(-logit))
-- Features are read by name from the member's row as jsonb, so this model needs no list of them:
-- the coefficients table is the model. scripts/churn/design.ts scoreRow computes the same number
-- (tested equal to 1e-9). The drivers are the three terms pushing the score up the most
-- (coefficient × standardised value, positive only).
-- priority_score = churn_probability × clv (the data's own lifetime value): what the airline
-- stands to lose; rank 1 is the member most worth saving.

with members as (

    select f.*, to_jsonb(f) as features
    from {{ ref('churn_features') }} as f
    where f.role = 'score'

),

coefficients as (

    select * from {{ ref('churn_coefficients') }}

),

contributions as (

    select
        m.customer_id,
        c.kind,
        case when c.kind = 'indicator' then c.term || ' = ' || c.level else c.term end   as driver,
        case c.kind
            when 'intercept' then c.coefficient
            when 'numeric'   then c.coefficient * coalesce(((m.features ->> c.term)::float8 - c.mean) / c.sd, 0)
            else c.coefficient * (case when (m.features ->> c.term) = c.level then 1 else 0 end)
        end                                                                               as contribution
    from members as m
    cross join coefficients as c

),

scored as (

    select customer_id, sum(contribution) as logit
    from contributions
    group by customer_id

),

drivers as (

    select
        customer_id,
        max(driver) filter (where position = 1)           as driver_1,
        max(contribution) filter (where position = 1)     as driver_1_contribution,
        max(driver) filter (where position = 2)           as driver_2,
        max(contribution) filter (where position = 2)     as driver_2_contribution,
        max(driver) filter (where position = 3)           as driver_3,
        max(contribution) filter (where position = 3)     as driver_3_contribution
    from (
        select customer_id, driver, contribution,
               row_number() over (partition by customer_id order by contribution desc, driver) as position
        from contributions
        where kind <> 'intercept' and contribution > 0
    ) as ranked
    where position <= 3
    group by customer_id

),

final as (

    select
        m.customer_id,
        m.loyalty_number,
        1 / (1 + exp(-s.logit))                                             as churn_probability,
        s.logit,
        m.clv,
        (1 / (1 + exp(-s.logit))) * m.clv                                   as priority_score,
        rank() over (order by (1 / (1 + exp(-s.logit))) * m.clv desc, m.customer_id)::integer
                                                                            as priority_rank,
        d.driver_1,
        d.driver_1_contribution,
        d.driver_2,
        d.driver_2_contribution,
        d.driver_3,
        d.driver_3_contribution,
        m.feature_date                                                      as as_of,
        (select max(c.label) from coefficients as c)                        as model_label,
        (select max(c.cutoff) from coefficients as c)                       as model_cutoff,
        (select max(c.build_id) from coefficients as c)                     as build_id
    from members as m
    join scored as s on s.customer_id = m.customer_id
    left join drivers as d on d.customer_id = m.customer_id

)

select * from final
