{#-
  recount_batches(model, key, per_model=true): for the count models (silver.retail_line_counts,
  silver.staged_row_counts), the batches of the staging model `model` whose rows this build may
  have written, as a literal array the runner computes just before the statement (the marked
  value of macros/watermark.sql; one line, by design). From a sub-select the planner cannot know
  how few they are, and retail_line_counts scanned all 9.9 M staged lines for a 1% batch.
    - the batches of `model` newer than any counted (for `model`, when the counts hold several
      models: `per_model`), read through its unique index, which starts with batch_id: the new
      rows' entries only. The newest counted batch is a marked value of its own, nested: compared
      with a sub-select, the planner took a third of the staged rows as newer and scanned all
      9.9 M (6.6 s of a 1% batch at 10 M lines, docs/benchmarks.md, session 12). A batch of another source has no row there, so it is never recounted.
      (Not load_batches with an `exists` probe per batch: Citus refuses that correlated
      sub-select over a distributed staging model.);
    - the retracted batches not applied yet, and only while there is one (the `exists`, a one-time
      filter) the batches with a row whose `key` is the key of a row of such a batch: staging
      writes the retracted rows again and ranks again the rows sharing their key
      (macros/new_landed_rows.sql; retail: the same content has the same invoice), so those are
      the rows whose status may change. More batches than that may be recounted, never fewer.
  A pending retraction is written as the rule itself (is_pending_retraction): the `exists` lets
  PostgreSQL skip the look-up of retracted rows when there is none, as on almost every build.
-#}
{% macro recount_batches(model, key, per_model=true) -%}
/*strata:value*/(select coalesce(array_agg(distinct t.batch_id order by t.batch_id), '{}'::bigint[]) from (select s.batch_id from {{ ref(model) }} as s where s.batch_id > /*strata:value*/(select coalesce(max(c.batch_id), 0) from {{ this }} as c{% if per_model %} where c.model = '{{ model }}'{% endif %})/*strata:end*/ union all select p.batch_id from {{ ref('load_batches') }} as p where {{ is_pending_retraction('p') }} union all select s.batch_id from {{ ref(model) }} as s where exists (select 1 from {{ ref('load_batches') }} as p where {{ is_pending_retraction('p') }}) and s.{{ key }} in (select r.{{ key }} from {{ ref(model) }} as r join {{ ref('load_batches') }} as p on p.batch_id = r.batch_id where {{ is_pending_retraction('p') }})) as t)/*strata:end*/
{%- endmacro %}
