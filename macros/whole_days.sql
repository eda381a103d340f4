{#-
  whole_days(later, earlier): the whole days from `earlier` to `later` (timestamps), rounded down,
  as in "bought 3 days and 5 hours ago" → 3. Negative when `later` is before `earlier`.
  Computed from the epoch difference so that it does not depend on interval normalisation.
-#}
{% macro whole_days(later, earlier) -%}
floor(extract(epoch from ({{ later }}) - ({{ earlier }})) / 86400)::integer
{%- endmacro %}
