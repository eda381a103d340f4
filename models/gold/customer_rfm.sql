{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}

-- Gold: one row per customer with RFM scores, cell and named segment.
--
-- Scores: 1 to 5 by quintile of all customers, 5 the best (most recent, most orders, most spend),
-- from the macro rfm_score: 1 + floor(5 × share of customers with a strictly worse value).
-- Customers with equal values always get equal scores (not so with ntile), and the worst value
-- always scores 1: all one-order customers share F = 1. See macros/rfm_score.sql.
--
-- Segment: the seed rfm_segment_rules maps (r_score, fm_score) to a named segment (the model
-- rfm_segment_map), where fm_score = round((f_score + m_score) / 2), halves rounded up; when rules
-- overlap, the lowest priority number wins. The singular test rfm_rules_cover_every_cell checks that each of the
-- 125 cells gets exactly one segment.

with features as (

    select customer_id, recency_days, frequency, monetary
    from {{ ref('customer_features') }}

),

scored as (

    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        {{ rfm_score('recency_days', 'lower') }}   as r_score,
        {{ rfm_score('frequency', 'higher') }}     as f_score,
        {{ rfm_score('monetary', 'higher') }}      as m_score
    from features

),

celled as (

    select
        *,
        (f_score + m_score + 1) / 2                     as fm_score,
        concat(r_score, f_score, m_score)               as rfm_cell
    from scored

),

segment_map as (

    -- each (r_score, fm_score) pair's segment, by the rules' priority
    select * from {{ ref('rfm_segment_map') }}

),

final as (

    select
        c.customer_id,
        c.recency_days,
        c.frequency,
        c.monetary,
        c.r_score,
        c.f_score,
        c.m_score,
        c.fm_score,
        c.rfm_cell,
        m.segment as rfm_segment
    from celled as c
    left join segment_map as m
        on m.r_score = c.r_score
       and m.fm_score = c.fm_score

)

select * from final
