{#-
  new_landed_rows(relation, key, first, key_sql=none): the frame every append-only staging model of
  a landing table shares (travel users, flights, hotels and sessions; airline flight activity),
  as one select for the model's `ranked` CTE. Its rows are the landed rows of `relation` that
  this build has to add:

    - Rule: only batches whose load finished (landing.load_batches status 'loaded'). A batch still
      loading, or one that failed half way, may hold part of its file; once a later batch has been
      read the watermark below has passed it and its remaining rows would never be read.
    - incremental builds: only batches newer than the newest batch already in {{ this }} (read
      through the model's batch_id index, and written in as a literal by the runner so that the
      planner reads the landing table through its batch_id index: macros/watermark.sql), so a row
      is staged exactly once;

  with every column of `relation`, plus

    - `occurrence`: 1 for the first row with this key among the rows read now (by batch, then file
      line), 2, 3, … for the repeats;
    - `seen_before`: whether {{ this }} already holds a row with this key, i.e. whether the key was
      landed by an earlier build (always false on a full build, where every row is read now).
    - `<key>` computed as `key_sql` when the key is not a landed column (a content hash).

  A row is a repeat exactly when `occurrence > 1 or seen_before`; the model names the status.

  Why an index look-up: `seen_before` probes {{ this }} once per new row, for the new rows' keys
  only, so an incremental build costs what its batch costs, not what the history holds (issue 7).
  A `left join (select distinct key from {{ this }})` reads every earlier row on every build.
  The model declares the index the probe uses: a partial index of its first occurrences,
  `{'columns': [key], 'where': first}`, where `first` is SQL over the model's own columns that holds
  for the first row of every key (e.g. "status <> 'duplicate'"). It may hold for some later rows
  too (a repeat the model set aside for another reason first): the probe only asks whether any row
  matches (`limit 1`), so a key counts as seen when any earlier row has it, as a scan would find it.

  relation: the landing relation (ref('travel_flights')), with batch_id and source_line.
  key:      the column of {{ this }} naming what repeats (trip_id, user_id, line_key).
  first:    the condition of the model's partial index on `key` (see above).
  key_sql:  SQL computing `key` from a landed row (`landed.<column>`), when it is not a landed column.
-#}
{% macro new_landed_rows(relation, key, first, key_sql=none) -%}
{%- set key_of = key_sql if key_sql else 'landed.' ~ key -%}
select
    landed.*,
    {%- if key_sql %}
    {{ key_sql }} as {{ key }},
    {%- endif %}
    row_number() over (partition by {{ key_of }} order by landed.batch_id, landed.source_line) as occurrence,
    {%- if is_incremental() %}
    earlier.seen is not null as seen_before
    {%- else %}
    false as seen_before
    {%- endif %}
from {{ relation }} as landed
{%- if is_incremental() %}
-- one probe per new row; `limit 1` also keeps the planner from turning the look-up into a hashed
-- subplan over every earlier key, as it does for `exists` when it guesses the batch is large
left join lateral (
    select true as seen from {{ this }} as earlier
    where earlier.{{ key }} = {{ key_of }} and ({{ first }})
    limit 1
) as earlier on true
{%- endif %}
where landed.batch_id in (select batch_id from {{ ref('load_batches') }} where status = 'loaded')
{%- if is_incremental() %}
  and landed.batch_id > {{ watermark('batch_id') }}
{%- endif %}
{%- endmacro %}
