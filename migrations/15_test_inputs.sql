-- The versions of what a data test read (execute/input-versions.ts, docs/storage.md "Unchanged
-- nodes are kept"): a later build does not run a test that passed in the published build when
-- nothing it reads has changed since.
alter table strata_meta.test_results add column inputs jsonb;
