-- What each data test checked when it ran (issue 7, docs/storage.md "Data tests of incremental
-- models"): a hash of the test's compiled SQL, severity, check and scope. An incremental build
-- lets a test check only the rows or keys it changed when the same test passed on the rows kept
-- from before; a test edited in place keeps its id, so its id alone would count the old test's
-- pass. Results recorded before this migration have none and count as a different definition.
alter table strata_meta.test_results add column definition text;

-- Where each build started reading the sources that declare `changes:` (docs/storage.md, "Tests
-- local to a key"): the largest value of an `appended_by` column, or the snapshot a
-- `transactions` table is read against. The next build takes as new every row after it, so a
-- test local to a key checks the keys of those rows only.
create table strata_meta.source_marks (
  build_id  bigint not null references strata_meta.builds,
  source_id text not null,
  mark      text,
  primary key (build_id, source_id)
);
