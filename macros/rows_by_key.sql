{#-
  rows_by_key(relation, column, keys): the rows of `relation` whose `column` equals a value of the
  same column of `keys` (a CTE or relation with one row per value), found by one index probe per
  key. For incremental models that look up the history rows of the keys a new batch touched.

  Why not `where column in (select column from keys)`: the keys come from a watermark
  (`batch_id > (select max(batch_id) from {{ this }})`), whose selectivity the planner cannot know
  before it runs; it then assumes a third of the table and joins the keys against a scan of the
  whole relation: the cost of the history again. `offset 0` keeps the lateral subquery from being
  flattened into such a join, so each key is one probe into `relation`'s index on `column`.
-#}
{% macro rows_by_key(relation, column, keys) -%}
select found.*
from {{ keys }} as wanted
cross join lateral (
    select * from {{ relation }} as candidate
    where candidate.{{ column }} = wanted.{{ column }}
    offset 0
) as found
{%- endmacro %}
