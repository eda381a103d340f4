{#-
  new_landed_rows(relation, key, first, key_sql=none): the frame every staging model of a landing
  table shares (travel users, flights, hotels and sessions; airline flight activity), as one select
  for the model's `ranked` CTE. Its rows are the landed rows of `relation` that this build has to
  write (the model is incremental, delete+insert on (batch_id, source_line)):

    - Rule: only batches whose load finished (landing.load_batches status 'loaded'), or that were
      retracted after it (status 'retracted': their rows are kept, marked `retracted`, so they can
      still be counted; the model names their status 'retracted' before any other rule). A batch
      still loading, or one that failed half way, may hold part of its file; once a later batch
      has been read the watermark below has passed it and its remaining rows would never be read.
    - incremental builds: the batches newer than the newest batch already in {{ this }} (read
      through the model's batch_id index, and written in as a literal by the runner so that the
      planner reads the landing table through its batch_id index: macros/watermark.sql), so a row
      is staged once; and, while a batch retracted
      after it was staged is pending (silver.pending_retractions), its rows again, now marked
      `retracted`, with every other row held here that shares a key with them: with the
      retracted row gone, one of those may be the first occurrence now (retail's staging does the
      same; docs/models.md, "Retracting a batch").

  with every column of `relation`, plus

    - `retracted`: whether the row's batch is retracted;
    - `occurrence`: 1 for the first row with this key among the rows read now (by batch, then file
      line), 2, 3, … for the repeats; rows of retracted batches are ranked apart and never count;
    - `seen_before`: whether {{ this }} already holds a first occurrence of this key outside the
      rows read now (always false on a full build, where every row is read now).
    - `<key>` computed as `key_sql` when the key is not a landed column (a content hash).

  A row is a repeat exactly when `occurrence > 1 or seen_before`; the model names the status.

  Why an index look-up: `seen_before` probes {{ this }} once per new row, for the new rows' keys
  only, so an incremental build costs what its batch costs, not what the history holds (issue 7).
  A `left join (select distinct key from {{ this }})` reads every earlier row on every build.
  The model declares the index the probe uses: a partial index of its first occurrences,
  `{'columns': [key], 'where': first}`, where `first` is SQL over the model's own columns that holds
  for the first row of every key and never for a retracted row (e.g. "status not in ('duplicate',
  'retracted')"). It may hold for some later rows too (a repeat the model set aside for another
  reason first): the probe only asks whether any row matches (`limit 1`), so a key counts as seen
  when any earlier row has it, as a scan would find it. A retraction's rows are found through the
  model's batch_id index and its index on `key` (all rows, not only first occurrences), and read
  again from landing (by batch, see `again` below): paid by the builds that apply a retraction.

  relation: the landing relation (ref('travel_flights')), with batch_id and source_line.
  key:      the column of {{ this }} naming what repeats (trip_id, user_id, line_key).
  first:    the condition of the model's partial index on `key` (see above).
  key_sql:  SQL computing `key` from a landed row (`landed.<column>`), when it is not a landed column.
  probe:    true (the default): the look-ups into {{ this }} are the lateral probes above. false,
            for a model distributed on Citus (schema.yml `distributed_by`): Citus refuses a lateral
            subquery with `limit` or `offset` over a distributed table ("cannot push down this
            subquery"), so both look-ups select the held rows whose key is among the wanted keys
            (`key in (…)`), which Citus runs on the workers with the keys sent along. The same
            rows either way; on plain PostgreSQL the planner may then hash the held keys instead
            of probing them (docs/scale-out.md gives the airline's figures).
-#}
{% macro new_landed_rows(relation, key, first, key_sql=none, probe=true) -%}
{%- set read_landed -%}
select
        landed.*,
        {%- if key_sql %}
        {{ key_sql }} as {{ key }},
        {%- endif %}
        read_batches.retracted
    from {{ relation }} as landed
    join read_batches on read_batches.batch_id = landed.batch_id
{%- endset -%}
with read_batches as (

    select batch_id, status = 'retracted' as retracted
    from {{ ref('load_batches') }}
    where status in ('loaded', 'retracted')

),

{%- if is_incremental() %}

withdrawn as (

    -- the rows held here of batches retracted after they were staged, by the batch_id index
    select held.batch_id, held.source_line, held.{{ key }}
    from {{ this }} as held
    where held.batch_id in (select batch_id from {{ ref('pending_retractions') }})
      and held.batch_id <= {{ watermark('batch_id') }}

),

withdrawn_keys as (

    select distinct {{ key }} from withdrawn where {{ key }} is not null

),

again as (

    -- the rows to write again: the withdrawn ones, and every other row held here that shares a key
    -- with them (one probe per key into the index on `key`; offset 0 keeps it a probe)
    select batch_id, source_line from withdrawn
    union
    {%- if probe %}
    select found.batch_id, found.source_line
    from withdrawn_keys as wanted
    cross join lateral (
        select held.batch_id, held.source_line from {{ this }} as held
        where held.{{ key }} = wanted.{{ key }}
        offset 0
    ) as found
    {%- else %}
    select held.batch_id, held.source_line from {{ this }} as held
    where held.{{ key }} in (select {{ key }} from withdrawn_keys)
    {%- endif %}

),

{%- endif %}

candidates as {% if is_incremental() and not probe %}materialized {% endif %}(

    {{ read_landed }}
    {%- if is_incremental() %}
    where landed.batch_id > {{ watermark('batch_id') }}

    union all

    {{ read_landed }}
    -- `= any(array(…))`: the batches are known before the scan (an init plan), so the planner
    -- may read them through the landing table's BRIN index on batch_id; when its statistics say
    -- those batches are most of the table it scans it (measured: 174 ms over the 393,736 airline
    -- activity rows to re-read 800), once per build that applies a retraction
    where landed.batch_id = any(array(select distinct batch_id from again))
      and (landed.batch_id, landed.source_line) in (select batch_id, source_line from again)
    {%- endif %}

){%- if is_incremental() and not probe %},

seen as (

    -- the keys read now of which {{ this }} holds a first occurrence (the probe's question, asked
    -- of all of them at once); keys of a retraction are left out, as by the probe
    select distinct earlier.{{ key }}
    from {{ this }} as earlier
    where ({{ first }})
      and earlier.{{ key }} in (select {{ key }} from candidates where not retracted)
      and earlier.{{ key }} not in (select {{ key }} from withdrawn_keys)

)
{%- endif %}

select
    candidates.*,
    row_number() over (
        partition by candidates.retracted, candidates.{{ key }}
        order by candidates.batch_id, candidates.source_line
    ) as occurrence,
    {%- if is_incremental() and probe %}
    earlier.seen is not null as seen_before
    {%- elif is_incremental() %}
    seen.{{ key }} is not null and not candidates.retracted as seen_before
    {%- else %}
    false as seen_before
    {%- endif %}
from candidates
{%- if is_incremental() and not probe %}
left join seen on seen.{{ key }} = candidates.{{ key }}
{%- elif is_incremental() %}
-- one probe per row read; `limit 1` also keeps the planner from turning the look-up into a hashed
-- subplan over every earlier key, as it does for `exists` when it guesses the batch is large. A
-- key of a retraction is not probed: every row held with it is among the candidates.
left join lateral (
    select true as seen from {{ this }} as earlier
    where earlier.{{ key }} = candidates.{{ key }} and ({{ first }})
      and not candidates.retracted
      and candidates.{{ key }} not in (select {{ key }} from withdrawn_keys)
    limit 1
) as earlier on true
{%- endif %}
{%- endmacro %}
