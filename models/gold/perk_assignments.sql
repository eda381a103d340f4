{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['experiment', 'customer_id'],
        indexes=[{'columns': ['experiment', 'customer_id'], 'unique': true}]
    )
}}
{%- set experiment = var('perk_experiment', 'perks-2023') %}
{%- set treatment_share = var('perk_treatment_share', 0.5) %}
{%- set holdout_share = var('perk_holdout_share', 0) %}

-- Gold: every traveller's perk and experiment arm in experiment var perk_experiment (default
-- 'perks-2023'), one row per (experiment, traveller). Assigned once and kept: an incremental
-- table to which each build adds only the travellers it has not assigned yet, so a traveller
-- keeps their arm, segment and perk across builds and when new travellers arrive.
-- A traveller who is no longer one (their user row retracted: npm run load -- --retract) keeps
-- their row, marked `withdrawn`, and experiment_results leaves them out: the record of who was
-- randomised to what never changes (so the strata stay balanced as assigned), and a unit that
-- never existed is not counted as a traveller who never booked. Loaded again, they are back in
-- their arm.
--
-- Arms (docs/travel.md, "The experiment"):
--   1. hold-out: a traveller whose hash u_holdout = md5(experiment, ':holdout:', customer_id) as a
--      number in [0, 1) is below var perk_holdout_share (default 0) is held out of the whole
--      programme: no perk, no arm; kept to measure the programme later.
--   2. everyone else is stratified by their segment at assignment: within a segment, travellers
--      new in this build are ordered by a second hash u_arm, and the i-th gets treatment when
--      floor(share × (n₀ + i)) > floor(share × (n₀ + i − 1)), n₀ being the segment's travellers
--      already assigned. Every segment's treatment count is therefore floor(share × n) at all
--      times (within one traveller of the share), and who gets it is decided by the hash.
-- The experiment name seeds both hashes, so a new experiment is a new randomisation. Changing
-- the share or the hold-out mid-experiment applies only to travellers assigned afterwards: start
-- a new experiment (new name) instead. --full-refresh re-randomises everyone at once.

with travellers as (

    select s.customer_id, s.user_id, s.segment_id, s.segment_name
    from {{ ref('traveler_segments') }} as s

),

new_travellers as (

    select t.*
    from travellers as t
    {% if is_incremental() %}
    -- an anti-join, not a correlated `not exists`: Citus refuses one beside a CTE
    left join {{ this }} as a on a.experiment = '{{ experiment }}' and a.customer_id = t.customer_id
    where a.customer_id is null
    {% endif %}

),

hashed as (

    -- two independent uniform numbers in [0, 1) per (experiment, traveller): the first 32 bits of md5
    select
        n.*,
        ('x' || substr(md5('{{ experiment }}:holdout:' || n.customer_id), 1, 8))::bit(32)::bigint / 4294967296.0 as u_holdout,
        ('x' || substr(md5('{{ experiment }}:arm:' || n.customer_id), 1, 8))::bit(32)::bigint / 4294967296.0 as u_arm
    from new_travellers as n

),

already as (

    -- travellers of each stratum assigned by earlier builds (0 on the first)
    {% if is_incremental() %}
    select stratum_segment_id, count(*) as assigned
    from {{ this }}
    where experiment = '{{ experiment }}' and arm <> 'holdout'
    group by stratum_segment_id
    {% else %}
    select null::integer as stratum_segment_id, 0::bigint as assigned where false
    {% endif %}

),

ranked as (

    select
        h.*,
        coalesce(a.assigned, 0) + row_number() over (partition by h.segment_id order by h.u_arm, h.customer_id) as position
    from hashed as h
    left join already as a on a.stratum_segment_id = h.segment_id
    where h.u_holdout >= {{ holdout_share }}

),

arms as (

    select
        customer_id, segment_id,
        case
            when floor({{ treatment_share }} * position) > floor({{ treatment_share }} * (position - 1)) then 'treatment'
            else 'control'
        end as arm
    from ranked

),

final as (

    select
        '{{ experiment }}'::text                            as experiment,
        h.customer_id,
        h.user_id,
        h.segment_id                                        as stratum_segment_id,
        h.segment_name                                      as stratum_segment_name,
        p.perk_id,
        p.perk_name,
        coalesce(a.arm, 'holdout')                          as arm,
        -- treatment is offered the segment's perk; control and hold-out are not
        coalesce(a.arm, 'holdout') = 'treatment'            as perk_offered,
        round(h.u_arm::numeric, 6)                          as arm_hash,
        {{ treatment_share }}::numeric                      as treatment_share,
        {{ holdout_share }}::numeric                        as holdout_share,
        -- when the assignment was made (the build that first saw the traveller)
        now()                                               as assigned_at,
        false                                               as withdrawn
    from hashed as h
    left join arms as a on a.customer_id = h.customer_id
    left join {{ ref('traveler_segment_perks') }} as p on p.segment_id = h.segment_id

    {% if is_incremental() %}
    union all

    -- travellers assigned before whose presence changed: withdrawn (no longer a traveller) or
    -- back (loaded again); the row as assigned, with the flag turned
    select
        a.experiment, a.customer_id, a.user_id, a.stratum_segment_id, a.stratum_segment_name,
        a.perk_id, a.perk_name, a.arm, a.perk_offered, a.arm_hash, a.treatment_share,
        a.holdout_share, a.assigned_at, not a.withdrawn
    from {{ this }} as a
    -- a join, not a correlated `exists`: Citus refuses one beside a CTE (travellers: one row each)
    left join travellers as t on t.customer_id = a.customer_id
    where a.experiment = '{{ experiment }}'
      and a.withdrawn = (t.customer_id is not null)
    {% endif %}

)

select * from final
