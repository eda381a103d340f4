-- Publish as a pointer (docs/storage.md). Every materialised node's rows live in one partitioned
-- table per node and column layout in strata_store; a public view filters it on the pointer kept
-- in strata_meta.live. Publishing updates strata_meta.live (one small UPDATE); no DDL, no lock
-- that a reader holds or waits for.
create schema if not exists strata_store;

-- What one build wrote for one node, as the public view will need it once the build publishes.
create table strata_meta.build_outputs (
  build_id        bigint not null references strata_meta.builds,
  node_id         text not null,
  kind            text not null check (kind in ('stored', 'view')),
  public_schema   text not null,
  public_name     text not null,
  -- the exact body of the public view (`select ... from strata_store... where <pointer>`, or a view
  -- model's SQL over public views); the view is redefined only when this text changes
  view_sql        text not null,
  -- stored: the partition holding the rows; view: the build's own view
  physical_schema text not null,
  physical_name   text not null,
  -- stored: the partition key (the build that created the partition) and the build whose row
  -- versions the view shows; both null for views
  gen             bigint,
  data_build      bigint,
  primary key (build_id, node_id)
);

-- The pointer: one row per published node. Public views read gen/data_build from here.
create table strata_meta.live (
  node_id         text primary key,
  kind            text not null check (kind in ('stored', 'view')),
  public_schema   text not null,
  public_name     text not null,
  view_sql        text not null,
  physical_schema text not null,
  physical_name   text not null,
  gen             bigint,
  data_build      bigint
);

-- every publication keeps the whole pointer state, so rollback republishes it exactly
alter table strata_meta.published_relations
  add column kind text,
  add column view_sql text,
  add column gen bigint,
  add column data_build bigint;

-- a build rolled back from and then built over is discarded: its incremental row versions are
-- removed by the next build of each node, so it can no longer be a rollback target
alter table strata_meta.builds add column discarded boolean not null default false;
