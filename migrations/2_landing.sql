-- Landing tables: what loaders and the generator write, as landed. Bronze models read these
-- through `source('landing', …)`; nothing here is ever edited after it lands.
create schema if not exists landing;

-- one row per file (or generator run) loaded
create table landing.load_batches (
  batch_id       bigserial primary key,
  source_file    text not null,
  file_sha256    text,
  format         text not null,
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  lines_read     bigint not null default 0,
  lines_loaded   bigint not null default 0,
  lines_rejected bigint not null default 0,
  status         text not null default 'running' check (status in ('running', 'loaded', 'failed'))
);
-- the same file loaded twice adds nothing the second time
create unique index load_batches_file_once on landing.load_batches (file_sha256) where status = 'loaded';

-- order lines in the UCI Online Retail layout (the `orders` format maps onto the same columns)
create table landing.order_lines (
  batch_id     bigint not null references landing.load_batches,
  source_file  text not null,
  source_line  bigint not null,
  invoice_no   text,
  stock_code   text,
  description  text,
  quantity     integer,
  invoice_date timestamp,
  unit_price   numeric(14, 4),
  customer_id  text,
  country      text,
  -- an order-total column a company's file may have instead of quantity × unit price
  line_total   numeric(14, 4),
  loaded_at    timestamptz not null default now()
);
create index order_lines_batch on landing.order_lines (batch_id);

-- rows a loader could not parse, with where they came from and why
create table landing.quarantine (
  batch_id    bigint not null references landing.load_batches,
  source_file text not null,
  source_line bigint not null,
  raw_text    text not null,
  reason      text not null,
  column_name text,
  value       text,
  rejected_at timestamptz not null default now()
);

-- the true archetype of each synthetic customer, to score clustering against
create table landing.synthetic_archetypes (
  customer_id text primary key,
  archetype   text not null,
  batch_id    bigint not null references landing.load_batches
);
