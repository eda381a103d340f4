-- Retracting a bad batch (npm run load -- --retract <batch> --why "…"). A retracted batch keeps its
-- lines in landing (nothing landed is edited or deleted) and says who retracted it, when and why;
-- silver marks its lines 'retracted', so they leave order_lines, returns, orders, customers and
-- gold, and a full rebuild gives the same. Retraction is final: to bring the lines back, load the
-- file again (the unique index on file_sha256 covers only 'loaded' batches, so it may be loaded).
alter table landing.load_batches drop constraint load_batches_status_check;
alter table landing.load_batches
  add constraint load_batches_status_check check (status in ('running', 'loaded', 'failed', 'retracted')),
  add column retracted_at  timestamptz,
  add column retracted_by  text,
  add column retracted_why text,
  add constraint load_batches_retraction_recorded
    check ((status = 'retracted') = (retracted_at is not null and retracted_by is not null and retracted_why is not null));

-- A retraction is applied by the first published build that rebuilt everything reading the
-- batches; until then it is pending, and incremental models recompute what its lines touched
-- (so a build that fails or is not published leaves it pending for the next one).
create table strata_meta.applied_retractions (
  batch_id   bigint primary key,
  build_id   bigint not null references strata_meta.builds,
  applied_at timestamptz not null default now()
);
