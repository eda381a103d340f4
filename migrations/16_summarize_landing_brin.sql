-- The landing tables find a batch through a BRIN index on batch_id, and PostgreSQL summarises a
-- BRIN block range only when VACUUM passes it; until then every look-up by batch reads that
-- range. A load now summarises the ranges it wrote (scripts/ingest/batches.ts). This summarises,
-- once, what earlier loads left to autovacuum: one read of the ranges not yet summarised.
select brin_summarize_new_values(i.indexrelid)
  from pg_index as i
  join pg_class as c on c.oid = i.indexrelid
  join pg_am as am on am.oid = c.relam
 where am.amname = 'brin'
   and i.indrelid in (select oid from pg_class where relnamespace = 'landing'::regnamespace);
