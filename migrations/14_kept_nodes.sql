-- Nodes a build keeps because nothing they read changed (issue 7, docs/storage.md "Unchanged
-- nodes are kept"). With every source in one database, a retail day rebuilt the airline's and the
-- travel data's gold tables from inputs no batch had touched: a cost that grew with their history.
-- A table-like node records what it computes (a hash of its compiled SQL or module, config, vars
-- and the runner's code) and the version of every input it read; a later build whose definition
-- and input versions are the same keeps the published partition instead of writing a new one.
create table strata_meta.node_inputs (
  build_id   bigint not null references strata_meta.builds,
  node_id    text not null,
  definition text not null,
  -- input id (model, seed or source) → its version when the build read it (execute/input-versions.ts)
  inputs     jsonb not null,
  primary key (build_id, node_id)
);

-- the build whose rows a kept node still shows (null: the node was written by this build)
alter table strata_meta.node_runs add column kept_from bigint;
