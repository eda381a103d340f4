-- Landing's order lines by invoice on Citus (issue 14, docs/scale-out.md "Landing and staging by
-- invoice"). invoice_key is the line's invoice number as staging reads it: trimmed of the blanks
-- staging's trim rule removes (space, tab, CR, LF), '' when nothing is left (a line without an
-- invoice; Citus refuses a NULL distribution value). The loader and the generator write it with
-- every line (scripts/ingest/invoice-key.ts); it is not a generated column because Citus refuses
-- one as a distribution column ("Distribution column must not use GENERATED ALWAYS AS (...)
-- STORED"). Staging partitions its duplicate window by it and is distributed by it, so on Citus
-- the window runs on the workers, each shard over its own invoices; on plain PostgreSQL it is
-- one more column, equal for equal invoices, and changes no result.
alter table landing.order_lines add column invoice_key text;
update landing.order_lines set invoice_key = coalesce(btrim(invoice_no, e' \t\r\n'), '');
alter table landing.order_lines alter column invoice_key set not null;

-- On a Citus coordinator the lines are hash-distributed by it (co-located with staging, which is
-- distributed by the same column); lines already landed are copied into the shards and their
-- local copy removed (Citus keeps it on disk otherwise). Without the extension nothing changes. A
-- cluster whose Citus extension is created after this migration ran distributes the table with
-- the same two calls.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'citus') then
    execute $d$select create_distributed_table('landing.order_lines', 'invoice_key')$d$;
    execute $d$select truncate_local_data_after_distributing_table('landing.order_lines')$d$;
  end if;
end
$$;
