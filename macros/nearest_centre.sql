{#-
  nearest_centre(features, centres, rows): every row of `rows` (a relation with customer_id and
  the feature columns) with the nearest k-means centre of `centres` (a segment centres table
  written by scripts/segment/pipeline/): customer_id, segment_id, segment_name, distance.
  The arithmetic of scripts/segment (applyTransform, nearestCentreSql), per feature x:

    v = ln(1 + max(x, 0))  when log1p_x, else x     (long-tailed features are logged)
    z = (v - mean_x) / sd_x, and 0 (the mean) when x is missing

  and the segment is the centre with the smallest squared Euclidean distance from z to its c_
  columns, ties to the lower segment_id. The lateral join reads only the small centres table, so
  each row is computed on its own (nothing correlates customers; Citus-friendly).
  Used by customer_segments and traveler_segments; an empty centres table gives no rows.
-#}
{% macro nearest_centre(features, centres, rows) -%}
with centres as (

    select * from {{ centres }}

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
    from {{ rows }}

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
{%- endmacro %}
