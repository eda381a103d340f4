-- gold.dimensions(): the customer dimensions the *_by and kpis_slice operations accept in this
-- build. A dimension is declared in the property files, on the column of a gold model:
-- `meta: {dimension: true}` (named after the column) or `meta: {dimension: <name>}`
-- (customer_segments.segment_name is `segment`). Publish writes those flags into
-- gold.dimension_columns(); this function keeps the ones whose view is published and readable
-- by the caller, has a customer_id column and is not a history (no dbt_scd_id), so a domain
-- that is not built has no dimensions here. Before the flags every text or boolean column of a
-- customer-grain view was listed, model outputs such as churn_scores.driver_1 and model_label
-- among them.
create or replace function gold.dimensions()
returns table (dimension text, source_view text, source_column text, description text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select d.dimension, d.source_view, d.source_column, col_description(c.oid, a.attnum) as description
    from gold.dimension_columns() as d
    join pg_namespace n on n.nspname = 'gold'
    join pg_class c on c.relnamespace = n.oid and c.relname = d.source_view and c.relkind in ('v', 'r', 'm')
    join pg_attribute a on a.attrelid = c.oid and a.attname = d.source_column and not a.attisdropped
    where has_table_privilege(c.oid, 'select')
      and exists (select 1 from pg_attribute k where k.attrelid = c.oid and k.attname = 'customer_id' and not k.attisdropped)
      and not exists (select 1 from pg_attribute h where h.attrelid = c.oid and h.attname = 'dbt_scd_id' and not h.attisdropped)
    order by 1
$$;

-- The join that brings one dimension to the customer rows of the generic gold; an unknown
-- dimension is an error that lists the ones this build has. Internal to the operations.
create or replace function gold.dimension_join(dimension text, alias text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
    source record;
    available text;
    duplicated bigint;
begin
    if dimension is null then
        raise exception 'dimension must not be null'
            using errcode = '22004', hint = 'call gold.dimensions() for the dimensions of this build';
    end if;
    select * into source from gold.dimensions() d where d.dimension = dimension_join.dimension;
    if not found then
        select string_agg(d.dimension, ', ' order by d.dimension) into available from gold.dimensions() d;
        raise exception 'dimension "%" does not exist in this build''s gold; available dimensions: %', dimension, available
            using errcode = '22023',
                  hint = 'domain dimensions (e.g. province, loyalty_card) exist only when their domain''s gold models are built';
    end if;
    -- a view with several rows per customer would count customers twice: refuse it
    execute format('select count(*) - count(distinct customer_id) from gold.%I', source.source_view) into duplicated;
    if duplicated > 0 then
        raise exception 'dimension "%" comes from gold.%, which has several rows per customer', dimension, source.source_view
            using errcode = '22023';
    end if;
    return format('left join gold.%I as %I on %I.customer_id = f.customer_id', source.source_view, alias, alias)
        || format(' /* %s */', source.source_column);
end
$$;

-- The column expression of a dimension, as text, for an alias made by dimension_join.
create or replace function gold.dimension_column(dimension text, alias text)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    select format('%I.%I::text', alias, d.source_column) from gold.dimensions() d where d.dimension = dimension_column.dimension
$$;
