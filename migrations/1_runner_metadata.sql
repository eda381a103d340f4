-- The runner's own records: every build, node run, test result and publication.
-- Read by `rollback`, by retention (which build schemas may be dropped) and by people.
create schema if not exists strata_meta;

create sequence strata_meta.build_id_seq;

create table strata_meta.builds (
  build_id     bigint primary key,
  project      text not null,
  command      text not null,
  invoked_by   text not null,
  started_at   timestamptz not null default now(),
  finished_at  timestamptz,
  selected     text[] not null default '{}',
  vars         jsonb not null default '{}',
  full_refresh boolean not null default false,
  status       text not null default 'running'
               check (status in ('running', 'success', 'error', 'cancelled')),
  published    boolean not null default false,
  message      text
);

-- versioned schemas a build created, so retention can drop exactly those
create table strata_meta.build_schemas (
  build_id    bigint not null references strata_meta.builds,
  schema_name text not null primary key,
  layer       text not null,
  dropped_at  timestamptz
);

create table strata_meta.node_runs (
  build_id    bigint not null references strata_meta.builds,
  node_id     text not null,
  status      text not null check (status in ('success', 'error', 'skipped')),
  rows        bigint,
  duration_ms integer not null,
  error       text,
  finished_at timestamptz not null default now(),
  primary key (build_id, node_id)
);

create table strata_meta.test_results (
  build_id    bigint not null references strata_meta.builds,
  test_id     text not null,
  status      text not null check (status in ('pass', 'fail', 'warn', 'error', 'skipped')),
  severity    text not null check (severity in ('error', 'warn')),
  failures    bigint not null,
  duration_ms integer not null,
  message     text,
  file        text,
  line        integer,
  primary key (build_id, test_id)
);

-- a sample of each failing test's rows (at most 100), as JSON, for inspection
create table strata_meta.test_failures (
  build_id bigint not null,
  test_id  text not null,
  ordinal  integer not null,
  row_data jsonb not null,
  primary key (build_id, test_id, ordinal),
  foreign key (build_id, test_id) references strata_meta.test_results
);

-- each publish or rollback; the newest is what the public views show
create table strata_meta.publications (
  publication_id bigserial primary key,
  build_id       bigint not null references strata_meta.builds,
  kind           text not null check (kind in ('publish', 'rollback')),
  published_at   timestamptz not null default now(),
  published_by   text not null
);

create table strata_meta.published_relations (
  publication_id  bigint not null references strata_meta.publications,
  node_id         text not null,
  public_schema   text not null,
  public_name     text not null,
  physical_schema text not null,
  physical_name   text not null,
  primary key (publication_id, node_id)
);
