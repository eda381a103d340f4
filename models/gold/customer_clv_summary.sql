{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        incremental_strategy='delete+insert',
        tombstone_column='is_tombstone',
        indexes=[
            {'columns': ['customer_id'], 'unique': true},
            {'columns': ['last_batch_id']}
        ]
    )
}}
{%- set unit = var('clv_time_unit', 'week') %}
{%- set model = var('clv_model', 'auto') %}
{%- set holdout_weeks = var('clv_holdout_weeks', 13) %}
{%- if not (unit in ['day', 'week', 'month']) %}
{{ exceptions.raise_compiler_error("var clv_time_unit must be one of day, week, month; got '" ~ unit ~ "'") }}
{%- endif %}
{%- if not (model in ['auto', 'bgnbd', 'mbgnbd', 'pareto']) %}
{{ exceptions.raise_compiler_error("var clv_model must be one of auto, bgnbd, mbgnbd, pareto; got '" ~ model ~ "'") }}
{%- endif %}
{%- if not (holdout_weeks is number) or holdout_weeks < 1 or holdout_weeks != holdout_weeks | int %}
{{ exceptions.raise_compiler_error("var clv_holdout_weeks must be a whole number of weeks, at least 1; got '" ~ holdout_weeks ~ "'") }}
{%- endif %}
{#- sources whose activity lives on a grid of calendar months, fitted by the BG/BB (docs/clv.md,
    "Discrete sources"): a mapping source -> period; 'month' is the one period there is #}
{%- set discrete = var('clv_discrete_sources', {}) %}
{%- if not (discrete is mapping) %}
{{ exceptions.raise_compiler_error("var clv_discrete_sources must be a mapping of source to period, e.g. {stg_airline_flight_activity: month}; got '" ~ discrete ~ "'") }}
{%- endif %}
{%- for source_name, period in discrete.items() %}
{%- if period != 'month' %}
{{ exceptions.raise_compiler_error("var clv_discrete_sources: the period of source " ~ source_name ~ " must be month (a calendar month); got '" ~ period ~ "'") }}
{%- endif %}
{%- endfor %}
{#- a discrete source's holdout: the last whole calendar months nearest clv_holdout_weeks (13 weeks: 3) #}
{%- set holdout_months = ((7 * holdout_weeks) / 30.4375) | round | int %}
{%- if holdout_months < 1 %}{% set holdout_months = 1 %}{% endif %}
{%- set days_per_unit = {'day': 1, 'week': 7, 'month': 30.4375}[unit] %}
{#- ceil(days / days_per_unit) for a whole number of days; integer arithmetic for days and weeks #}
{%- macro units(days) -%}
{%- if unit == 'month' -%}
ceil(({{ days }})::numeric / 30.4375)::integer
{%- else -%}
(({{ days }}) + {{ days_per_unit - 1 }}) / {{ days_per_unit }}
{%- endif -%}
{%- endmacro %}
{#- whole calendar months from the month of `earlier` to the month of `later` (dates) #}
{%- macro months(later, earlier) -%}
((extract(year from {{ later }}) * 12 + extract(month from {{ later }}))
     - (extract(year from {{ earlier }}) * 12 + extract(month from {{ earlier }})))::integer
{%- endmacro %}

-- Gold: one row per customer, the purchase summary the lifetime-value models read (docs/clv.md,
-- "In the pipeline"), in the unit of var clv_time_unit ({{ unit }}):
--
--   x      repeat purchases: distinct purchase days - 1 (same-day orders are one purchase, as in
--          the papers; the first purchase is not a repeat)
--   t_x    time from the first to the last purchase
--   age    time from the first purchase to the as-of day (T in the papers)
--
-- Times are whole units on a grid that ends at the as-of day: a purchase a days before it
-- (a >= 1) falls in unit ceil(a / days_per_unit) before it, so age = ceil(first purchase's a /
-- days) and t_x = age - ceil(last purchase's a / days). With days the times are exact; with weeks
-- or months every customer's times take a few dozen values, which keeps the number of distinct
-- (x, t_x, age) combinations (what the fit and the prediction table cost) small at any scale.
-- These are the times period-based summaries compute (lifetimes' summary_data_from_transaction_data
-- with freq 'W' or 'M'), with the periods ending at the as-of day; x still counts days, so x > 0
-- with t_x = 0 happens (every purchase day in the same unit as the first).
--
-- Discrete sources (var clv_discrete_sources: {{ discrete.keys() | list | join(', ') or 'none' }}) are
-- summarised on calendar months instead, for the BG/BB: a month with an order is a transaction,
-- each month after the first an opportunity (docs/clv.md, "Discrete sources"):
--
--   x      months with a purchase after the first month
--   t_x    the month of the last purchase, counted from the first (0 when x = 0)
--   age    n, the opportunities after the first month: the months from the first to the month of
--          the as-of day's eve (the last day with data), so a source whose last month is in the
--          data counts it whole
--
-- and their holdout is the last {{ holdout_months }} calendar months.
--
-- The as-of day is per source (silver orders.source): var as_of when set, else the source's latest
-- purchase + 1 day (with one source, customer_features' as-of day); only purchases before it count.
-- The calibration columns (cal_*) split the same purchases at the start of the last
-- clv_holdout_weeks ({{ holdout_weeks }}) weeks, for the holdout that chooses the model when
-- clv_model is auto: the summary as it was at the holdout's start, on a grid ending there, and
-- the purchase days in the holdout. They are null for customers who first bought in the holdout.

-- Incremental (delete+insert on customer_id): a customer's row depends only on her orders and
-- on her source's as-of day (which fixes the grid, the ages and the holdout), given the vars.
-- A build recomputes the customers with an order newer than the watermark (last_batch_id), read
-- through orders' customer_id index, so the cost grows with the batch; and every customer of a
-- source whose as-of day moved or whose time unit or holdout a var changed (every age in it
-- changes), but not the other sources' customers: a retail day used to recompute every airline
-- member and traveller too (1.5 s of a 4 s retail day with every source loaded, docs/benchmarks.md
-- session 12). While a retraction is pending, every customer. Customers left without orders (in
-- the sources recomputed whole) are removed by tombstones. The test of the first case is a
-- literal the runner evaluates first (macros/watermark.sql), so the planner drops the branch it
-- does not need. Equal to a full rebuild (tests/integration/incremental-gold.test.ts).
{%- if is_incremental() %}
{#- the as-of day of each source as the published rows have it, against now's: one line (a literal) #}
{%- set now_as_of -%}
{%- if var('as_of', none) -%}
select o.source, (select max(f.as_of)::date from {{ ref('customer_features') }} as f) as as_of_day from {{ ref('orders') }} as o group by o.source
{%- else -%}
select o.source, (max(o.ordered_at) + interval '1 day')::date as as_of_day from {{ ref('orders') }} as o group by o.source
{%- endif -%}
{%- endset %}
{#- a source's rows were made with other vars: its time unit (clv_time_unit, clv_discrete_sources) or its holdout (clv_holdout_weeks) differs #}
{%- set discrete_list -%}
{%- if discrete %}p.source in ({% for name in discrete.keys() %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %}){% else %}false{% endif -%}
{%- endset %}
{%- set other_vars -%}
p.time_unit <> case when {{ discrete_list | trim }} then 'calendar_month' else '{{ unit }}' end or p.holdout_start_day <> case when {{ discrete_list | trim }} then (date_trunc('month', p.as_of_day - 1) - interval '{{ holdout_months - 1 }} months')::date else p.as_of_day - {{ 7 * holdout_weeks }} end
{%- endset %}
{#- the sources whose customers are all recomputed: as-of day moved, or other vars (one line, a literal) #}
{%- set moved_sources -%}
/*strata:value*/(select coalesce(array_agg(distinct p.source), '{}'::text[]) from (select distinct source, as_of_day, time_unit, holdout_start_day from {{ this }}) as p left join ({{ now_as_of | trim }}) as a on a.source = p.source where a.as_of_day is distinct from p.as_of_day or {{ other_vars | trim }})/*strata:end*/
{%- endset %}
{%- set everyone -%}
(cardinality({{ pending_retraction_batches() }}) > 0)
{%- endset %}
{%- endif %}

with features_as_of as (

    -- the same on every row of customer_features: var as_of, else the latest purchase + 1 day
    select max(as_of)::date as as_of_day
    from {{ ref('customer_features') }}

),

as_of as (

    -- one as-of day per source (silver's orders.source: the staging model an order came from).
    -- Var as_of, when set, is every source's. Else each source's own latest purchase + 1 day, so
    -- a source whose data end earlier (the airline's 2017-2018 months next to 2023 travel) is
    -- not seen as years without a purchase: a shared as-of day would add those years to every
    -- member's T and turn the end of its data into a drop-out of all of them. With one source
    -- this is customer_features' as-of day, as before.
    select
        o.source,
        {%- if discrete %}
        o.source in ({% for name in discrete.keys() %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %}) as discrete,
        {%- else %}
        false                                                           as discrete,
        {%- endif %}
        {%- if var('as_of', none) %}
        f.as_of_day                                                     as as_of_day
        {%- else %}
        (max(o.ordered_at) + interval '1 day')::date                    as as_of_day
        {%- endif %}
    from {{ ref('orders') }} as o
    cross join features_as_of as f
    group by o.source, f.as_of_day

),

source_days as (

    select
        source,
        discrete,
        as_of_day,
        case when discrete
             -- the first day of the first of the last {{ holdout_months }} calendar months
             then (date_trunc('month', as_of_day - 1) - interval '{{ holdout_months - 1 }} months')::date
             else as_of_day - {{ 7 * holdout_weeks }}
        end                                             as holdout_start_day
    from as_of

),

purchase_days as (

    -- a day's value is the sum of that day's orders; each order counts in its source. For a
    -- discrete source the "day" is the first of its calendar month: a month is one purchase
    select
        o.customer_id,
        o.source,
        case when a.discrete then date_trunc('month', o.ordered_at)::date
             else o.ordered_at::date end                as purchase_day,
        sum(o.order_amount)                             as day_value,
        max(o.last_batch_id)                            as last_batch_id
    from {{ ref('orders') }} as o
    join source_days as a on a.source = o.source
    where o.ordered_at < a.as_of_day
    {%- if is_incremental() %}
      -- every customer (a retraction is pending), every customer of a source whose as-of day
      -- moved, or those with an order newer than the watermark
      and ({{ everyone | trim }}
           or o.source = any ({{ moved_sources | trim }})
           or o.customer_id in (
               select changed.customer_id from {{ ref('orders') }} as changed
               where changed.last_batch_id > {{ watermark('last_batch_id') }}))
    {%- endif %}
    group by 1, 2, 3

),

customer_days as (

    -- hash aggregates only: no per-customer sort
    select
        d.customer_id,
        d.source,
        min(d.purchase_day)                                                     as first_purchase_day,
        max(d.purchase_day)                                                     as last_purchase_day,
        count(*)::integer                                                       as purchase_days,
        sum(d.day_value)                                                        as total_value,

        -- calibration: the purchase days before the holdout, and those in it
        count(*) filter (where d.purchase_day < a.holdout_start_day)::integer  as cal_purchase_days,
        max(d.purchase_day) filter (where d.purchase_day < a.holdout_start_day) as cal_last_purchase_day,
        count(*) filter (where d.purchase_day >= a.holdout_start_day)::integer as holdout_purchase_days,
        max(d.last_batch_id)                                                    as last_batch_id
    from purchase_days as d
    join source_days as a on a.source = d.source
    group by d.customer_id, d.source

),

grid as (

    -- ages in whole units (ceil of days / days per unit), on grids ending at the as-of day and
    -- at the holdout's start; the first day's value, to leave it out of the repeat purchases'
    select
        c.*,
        f.day_value                                                             as first_day_value,
        a.as_of_day,
        a.holdout_start_day,
        a.discrete,
        case when a.discrete then {{ months('(a.as_of_day - 1)', 'c.first_purchase_day') }}
             else {{ units('a.as_of_day - c.first_purchase_day') }} end        as age,
        case when a.discrete then {{ months('(a.as_of_day - 1)', 'c.last_purchase_day') }}
             else {{ units('a.as_of_day - c.last_purchase_day') }} end         as last_age,
        case when c.cal_purchase_days > 0 then
            case when a.discrete then {{ months('(a.holdout_start_day - 1)', 'c.first_purchase_day') }}
                 else {{ units('a.holdout_start_day - c.first_purchase_day') }} end
        end                                                                     as cal_age,
        case when a.discrete then {{ months('(a.holdout_start_day - 1)', 'c.cal_last_purchase_day') }}
             else {{ units('a.holdout_start_day - c.cal_last_purchase_day') }} end as cal_last_age
    from customer_days as c
    join purchase_days as f
        on f.customer_id = c.customer_id and f.purchase_day = c.first_purchase_day
    join source_days as a on a.source = c.source

),

final as (

    select
        customer_id,
        -- the source the customer's orders come from (ids are namespaced per source, so one);
        -- clv_predictions fits each source on its own customers
        source,
        first_purchase_day,
        last_purchase_day,
        as_of_day,
        purchase_days,

        -- the summary, in clv_time_unit; a discrete source's in calendar months
        case when discrete then 'calendar_month'
             else '{{ unit }}' end::text                           as time_unit,
        purchase_days - 1                                           as x,
        age - last_age                                              as t_x,
        age,

        -- Gamma-Gamma's input: the mean value of the repeat purchase days (double precision, as
        -- the fit and the SQL applying it compute); null without a repeat purchase
        case when purchase_days > 1 then
            ((total_value - first_day_value) / (purchase_days - 1))::double precision
        end                                                         as repeat_order_value,

        -- the holdout split
        holdout_start_day,
        case when cal_purchase_days > 0 then cal_purchase_days - 1 end          as cal_x,
        cal_age - cal_last_age                                                  as cal_t_x,
        cal_age,
        case when cal_purchase_days > 0 then holdout_purchase_days end          as holdout_x,

        -- the newest load batch among the customer's orders: the incremental watermark
        last_batch_id

    from grid

)

select *{% if is_incremental() %}, false as is_tombstone{% endif %} from final
{%- if is_incremental() %}

union all

-- a customer left without a purchase before the as-of day (a retraction, or var as_of moved
-- back): a row that only deletes (tombstone_column)
select
    kept.customer_id, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, true
from {{ this }} as kept
where ({{ everyone | trim }} or kept.source = any ({{ moved_sources | trim }}))
  and not exists (select 1 from final where final.customer_id = kept.customer_id)
{%- endif %}
