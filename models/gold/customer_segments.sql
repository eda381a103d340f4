{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}]
    )
}}
{#- No default here: the project's vars set segment_features (schema.yml), the same value the
    TypeScript model segment_centres fits on; a second default list could drift from that one
    (scripts/segment/pipeline/settings.ts), so a project without the var fails to compile instead. #}
{%- set features = var('segment_features') %}

-- Gold: every customer's k-means segment, the nearest centre of segment_centres.
--
-- The TypeScript model segment_centres fits the centres on a sample; here SQL applies the same
-- arithmetic as scripts/segment (applyTransform, nearestCentreSql) to every customer, so the
-- fitted sample and the rest are treated alike (tests/integration/segments-model.test.ts checks
-- the two agree). Per feature x of var segment_features:
--
--   v = ln(1 + max(x, 0))  when log1p_x, else x     (long-tailed features are logged)
--   z = (v - mean_x) / sd_x, and 0 (the mean) when x is missing
--
-- and the segment is the centre with the smallest squared Euclidean distance from z to its
-- c_ columns, ties to the lower segment_id. The lateral join reads only the small centres table,
-- so each customer is computed on its own row (nothing correlates customers; Citus-friendly).

with centres as (

    select * from {{ ref('segment_centres') }}

),

-- the transform is repeated on every centre row; any one row carries it
transform as (

    select
        {%- for feature in features %}
        log1p_{{ feature }}, mean_{{ feature }}, sd_{{ feature }}{{ ',' if not loop.last }}
        {%- endfor %}
    from centres
    limit 1

),

features as (

    select
        customer_id,
        {%- for feature in features %}
        {{ feature }}::double precision as {{ feature }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('customer_features') }}

),

standardised as (

    select
        f.customer_id,
        -- not greatest(x, 0): it ignores NULLs and would turn a missing value into ln(1) = 0
        {%- for feature in features %}
        coalesce(
            ((case when t.log1p_{{ feature }}
                   then ln(1 + case when f.{{ feature }} < 0 then 0 else f.{{ feature }} end)
                   else f.{{ feature }} end) - t.mean_{{ feature }}) / t.sd_{{ feature }},
            0
        ) as z_{{ feature }}{{ ',' if not loop.last }}
        {%- endfor %}
    from features as f
    cross join transform as t

),

assigned as (

    select
        s.customer_id,
        nearest.segment_id,
        nearest.segment_name,
        sqrt(nearest.squared_distance) as distance
    from standardised as s
    cross join lateral (
        select
            c.segment_id,
            c.segment_name,
            {%- for feature in features %}
            {{ '+ ' if not loop.first }}(s.z_{{ feature }} - c.c_{{ feature }}) ^ 2
            {%- endfor %}
            as squared_distance
        from centres as c
        order by squared_distance, c.segment_id
        limit 1
    ) as nearest

)

select * from assigned
