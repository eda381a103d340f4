-- Landing's order lines by invoice on Citus (issue 14, docs/scale-out.md "Landing and staging by
-- invoice"). invoice_key is the line's invoice number as staging reads it: trimmed of the blanks
-- staging's trim rule removes (space, tab, CR, LF), '' when nothing is left (a line without an
-- invoice; Citus refuses a NULL distribution value). The loader and the generator write it with
-- every line (scripts/ingest/invoice-key.ts); it is not a generated column because Citus refuses
-- one as a distribution column ("Distribution column must not use GENERATED ALWAYS AS (...)
-- STORED"). Staging partitions its duplicate window by it, so a cluster that distributes landing
-- and staging by it runs the window on the workers, each shard over its own invoices; on plain
-- PostgreSQL it is one more column, equal for equal invoices, and changes no result. The table
-- stays local here: distributing it is a step of its own (docs/scale-out.md, "Landing and
-- staging by invoice"), measured slower for this project's build as long as silver.order_lines
-- unions the distributed retail lines with local sources.
alter table landing.order_lines add column invoice_key text;
update landing.order_lines set invoice_key = coalesce(btrim(invoice_no, e' \t\r\n'), '');
alter table landing.order_lines alter column invoice_key set not null;
