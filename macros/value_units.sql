{#- The unit of an aggregate of values: the one unit of the rows it adds ('GBP'), 'mixed' when
    sources with different units were added together (test gold_mixes_value_units names them),
    null with no rows. min/max rather than string_agg(distinct …), so Citus computes it on the
    workers instead of gathering every customer's row. One expression, so every gold figure
    that sums values labels its unit alike. #}
{% macro value_units(column) -%}
case when min({{ column }}) = max({{ column }}) then min({{ column }}) when count({{ column }}) > 0 then 'mixed' end
{%- endmacro %}
