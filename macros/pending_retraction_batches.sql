{#-
  pending_retraction_batches(): the batches retracted (npm run load -- --retract) that no published
  build has applied yet, as an array (`'{}'::bigint[]` when there are none, as on almost every
  build). The runner evaluates it just before the statement and writes the array in as a literal
  (scripts/execute/resolve-values.ts, as for macros/watermark.sql). Why: read through a sub-select,
  the planner cannot know that there are usually none, and took the held lines of the pending
  batches for 201,888 of Online Retail's 531,262 lines, so retail staging hashed all of history
  for its duplicate look-up (1.7 s of a 1.8 s statement for a 5,419-line batch) instead of probing
  the index once per new line; `batch_id = any ('{}')` is estimated from the literal (no rows).
  A literal array is also what Citus accepts everywhere (a lateral probe it refused).
  silver.pending_retractions is its rows, for the models that read the batches as a relation.
  One line, by design: the runner replaces it in place.
-#}
{% macro pending_retraction_batches() -%}
/*strata:value*/(select coalesce(array_agg(batches.batch_id order by batches.batch_id), '{}'::bigint[]) from {{ ref('load_batches') }} as batches where {{ is_pending_retraction('batches') }})/*strata:end*/
{%- endmacro %}

{#-
  is_pending_retraction(batches): the rule itself, for a row `batches` of load_batches: retracted,
  and no published build has applied it. For SQL that cannot take the literal array above: inside
  another marked value, which the runner does not evaluate nested (models/silver/retail_line_counts.sql).
-#}
{% macro is_pending_retraction(batches) -%}
{{ batches }}.status = 'retracted' and not exists (select 1 from {{ ref('applied_retractions') }} as applied where applied.batch_id = {{ batches }}.batch_id)
{%- endmacro %}
