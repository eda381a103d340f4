{{
    config(
        materialized='incremental',
        unique_key=['model', 'batch_id'],
        incremental_strategy='delete+insert'
    )
}}

-- Silver: how many rows each batch of the TravelTide and airline staging models landed, kept and
-- set aside (per status), and, for the airline activity, how many repeat a member-month. One row
-- per model, batch, step and rule. gold.data_quality_counts sums these instead of counting every
-- landed and staged row each time it is read (and its data test reads it on every build): a cost
-- that grew with the history (on Online Retail, TravelTide and the airline, 0.5 s a read, most of
-- it the member-month count; docs/benchmarks.md). silver.retail_line_counts does the same for
-- the Online Retail layout. stg_airline_members is not here: a table rebuilt in full every build,
-- one members file, so the view counts it as it is.
--
-- Incremental (delete+insert on model and batch_id; every row of a recounted batch is replaced,
-- so a status a batch no longer has leaves with them): a build recounts, per model, the batches
-- it may have written (macros/recount_batches.sql): the new ones, and while a retraction is
-- pending those sharing a key with a retracted batch's rows. A recount is exact.

{%- set models = [
    {'name': 'stg_travel_users',            'landed': 'travel_users',            'status': 'user_status',    'kept': 'ok',       'key': 'user_id'},
    {'name': 'stg_travel_sessions',         'landed': 'travel_sessions',         'status': 'session_status', 'kept': 'ok',       'key': 'session_id'},
    {'name': 'stg_travel_flights',          'landed': 'travel_flights',          'status': 'flight_status',  'kept': 'booked',   'key': 'trip_id'},
    {'name': 'stg_travel_hotels',           'landed': 'travel_hotels',           'status': 'hotel_status',   'kept': 'booked',   'key': 'trip_id'},
    {'name': 'stg_airline_flight_activity', 'landed': 'airline_flight_activity', 'status': 'line_status',    'kept': 'purchase', 'key': 'invoice_key'}
] %}

with

{% for m in models %}
{%- set recount = recount_batches(m.name, m.key) | trim %}
{{ m.name }}_counts as (

    -- the rows landed (counted on the bronze model, not on silver, so that a row silver lost would
    -- show: landed = kept + set aside, tested), then the staged rows per status.
    {%- if is_incremental() %}
    -- The batches to recount reach the statement as a literal array (macros/recount_batches.sql),
    -- which the planner reads through the batch_id indexes; from a sub-select it cannot know how
    -- few they are (retail_line_counts scanned every staged line so). The key: the column staging
    -- ranks repeats by; for the airline activity the member-month, which holds the content key
    -- and groups the repeats below.
    {%- endif %}
    select '{{ m.name }}'::text as model, landed.batch_id, 'landed'::text as step, 'rows landed'::text as rule, count(*)::bigint as rows
    from {{ ref(m.landed) }} as landed
    {% if is_incremental() -%}
    where landed.batch_id = any ({{ recount }})
    {%- else -%}
    where landed.batch_id in (select distinct staged.batch_id from {{ ref(m.name) }} as staged)
    {%- endif %}
    group by landed.batch_id

    union all

    select
        '{{ m.name }}',
        staged.batch_id,
        case when staged.{{ m.status }} = '{{ m.kept }}' then 'kept' else 'set aside' end,
        staged.{{ m.status }},
        count(*)::bigint
    from {{ ref(m.name) }} as staged
    {% if is_incremental() -%}
    where staged.batch_id = any ({{ recount }})
    {%- endif %}
    group by staged.batch_id, staged.{{ m.status }}

),
{% endfor %}

{%- set recount = recount_batches('stg_airline_flight_activity', 'invoice_key') | trim %}

counted_activity as (

    -- the activity rows a member-month counts: not exact duplicates, retracted or without one
    select batch_id, invoice_key
    from {{ ref('stg_airline_flight_activity') }}
    where line_status not in ('duplicate', 'retracted', 'incomplete')

),

member_months as (

    -- Rule (noted, not set aside): a member-month on two or more rows that are not exact
    -- duplicates is kept as lines of that month's one order. Counted per batch as the rows beyond
    -- each member-month's first (by batch and file line), so that the batches add up: in all,
    -- rows less member-months. Here the batch of each member-month's first row, its earliest
    -- batch (which row of that batch is first does not change the batch's count): incremental,
    -- only the member-months with a row in a recounted batch (the index on invoice_key, the
    -- member-month 'airline-<loyalty number>-<YYYY-MM>').
    select
        invoice_key,
        min(batch_id) as first_batch_id
    from counted_activity
    {% if is_incremental() -%}
    where invoice_key in (
        select a.invoice_key from {{ ref('stg_airline_flight_activity') }} as a
        where a.batch_id = any ({{ recount }}))
    {%- endif %}
    group by invoice_key

),

repeats as (

    -- per batch with activity rows (0 when none of them repeats a member-month): its counted rows
    -- less the member-months whose first row it holds
    select
        'stg_airline_flight_activity'::text as model,
        batches.batch_id,
        'noted'::text as step,
        'repeated member-month kept as another line'::text as rule,
        coalesce(rows.n, 0) - coalesce(firsts.n, 0) as rows
    from (select distinct batch_id from stg_airline_flight_activity_counts where step <> 'landed') as batches
    left join (
        select batch_id, count(*)::bigint as n from counted_activity
        {% if is_incremental() -%}
        where batch_id = any ({{ recount }})
        {%- endif %}
        group by batch_id
    ) as rows on rows.batch_id = batches.batch_id
    left join (
        select first_batch_id as batch_id, count(*)::bigint as n from member_months group by first_batch_id
    ) as firsts on firsts.batch_id = batches.batch_id

)

{% for m in models %}
select * from {{ m.name }}_counts
union all
{% endfor %}
select * from repeats
