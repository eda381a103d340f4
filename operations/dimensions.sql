-- gold.dimensions(): the customer dimensions the *_by and kpis_slice operations accept in this
-- build, discovered from the published gold views rather than listed by hand, so a domain that
-- adds a customer-grain gold view with a province or card_tier column gets those dimensions
-- without touching the operations.
--
-- Two names are aliases of the generic gold: segment (the k-means segment's name) and
-- rfm_segment. Every other dimension is a text or boolean column of a gold view that has a
-- customer_id column and is not a history (no dbt_scd_id): the first such view by name wins,
-- after the generic customer tables. Columns that are the same on every row of a build (model,
-- time_unit) and ids are not dimensions.
create or replace function gold.dimensions()
returns table (dimension text, source_view text, source_column text, description text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    with core (view_name, priority) as (
        values ('customer_features', 1), ('customer_rfm', 2), ('customer_segments', 3),
               ('customer_clv', 4), ('retention_priorities', 5)
    ),
    customer_views as (
        select c.oid, c.relname::text as view_name, coalesce(core.priority, 100) as priority
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'gold'
        left join core on core.view_name = c.relname
        where c.relkind in ('v', 'r', 'm')
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'customer_id' and not a.attisdropped)
          and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'dbt_scd_id' and not a.attisdropped)
    ),
    candidates as (
        select
            a.attname::text as column_name,
            v.view_name,
            v.priority,
            col_description(v.oid, a.attnum) as description
        from customer_views v
        join pg_attribute a on a.attrelid = v.oid and a.attnum > 0 and not a.attisdropped
        where format_type(a.atttypid, a.atttypmod) in ('text', 'boolean', 'character varying')
           or format_type(a.atttypid, a.atttypmod) like 'character varying(%'
           or format_type(a.atttypid, a.atttypmod) like 'character(%'
    ),
    discovered as (
        select distinct on (column_name)
            column_name as dimension, view_name, column_name, description
        from candidates
        where column_name not in ('customer_id', 'model', 'time_unit', 'segment_name', 'kmeans_segment')
        order by column_name, priority, view_name
    ),
    aliases as (
        select 'segment'::text, 'customer_segments'::text, 'segment_name'::text,
               'The k-means segment''s name (customer_segments.segment_name).'::text
        where exists (select 1 from customer_views where view_name = 'customer_segments')
    )
    select * from aliases
    union all
    select * from discovered
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
                  hint = 'domain dimensions (e.g. province, card_tier) exist only when their domain''s gold models are built';
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
