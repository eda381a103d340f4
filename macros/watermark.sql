{#-
  watermark(column): the largest `column` already in {{ this }} (0 when it is empty), for an
  incremental model's `where batch_id > {{ watermark('batch_id') }}`. The runner evaluates it just
  before the statement and writes the value in as a literal (scripts/execute/resolve-values.ts):
  compared with a sub-select, the planner cannot know how many rows are new, guesses a third of the
  table and scans it all; compared with a literal, it reads the column's statistics and finds the
  new batch through the landing table's batch_id index (docs/benchmarks.md, "Reading a new batch").
  One line, by design: the runner replaces it in place.
-#}
{% macro watermark(column) -%}
/*strata:value*/(select coalesce(max({{ column }}), 0) from {{ this }})/*strata:end*/
{%- endmacro %}
