-- Landing tables for the airline loyalty programme (Maven "Airline Loyalty Program", current
-- release): the loader's airline_members and airline_flight_activity formats write them, with the
-- same batches, lineage and quarantine as order lines (landing.load_batches, landing.quarantine).
-- Values are typed as the files hold them; every cleaning rule is silver's (stg_airline_*).

-- Customer Loyalty History: one row per member per loaded file
create table landing.airline_members (
  batch_id           bigint not null,
  source_file        text not null,
  source_line        bigint not null,
  loyalty_number     integer,
  country            text,
  province           text,
  city               text,
  postal_code        text,
  gender             text,
  education          text,
  -- integer-valued in the file, but numeric here so a stray fraction lands rather than being refused
  salary             numeric(14, 4),
  marital_status     text,
  loyalty_card       text,
  clv                numeric(14, 4),
  enrollment_type    text,
  enrollment_year    integer,
  enrollment_month   integer,
  cancellation_year  integer,
  cancellation_month integer,
  loaded_at          timestamptz not null default now()
);
create index airline_members_batch on landing.airline_members using brin (batch_id);

-- Customer Flight Activity: one row per member and month (not a clean grid: see silver)
create table landing.airline_flight_activity (
  batch_id                    bigint not null,
  source_file                 text not null,
  source_line                 bigint not null,
  loyalty_number              integer,
  year                        integer,
  month                       integer,
  total_flights               integer,
  distance                    integer,
  points_accumulated          numeric(14, 4),
  points_redeemed             integer,
  dollar_cost_points_redeemed integer,
  loaded_at                   timestamptz not null default now()
);
-- no foreign key to load_batches, as for order_lines (migration "landing load speed"): the loader
-- writes a batch's row and its lines in one transaction
create index airline_flight_activity_batch on landing.airline_flight_activity using brin (batch_id);

-- Every churn model fit (gold churn_coefficients, npm run validate-churn), kept whether or not the
-- build was published: the experiment record the seed projects kept in MLflow.
create table strata_meta.churn_fits (
  fit_id        bigserial primary key,
  -- the build that fitted it; null for a validate-churn run outside a build
  build_id      bigint,
  -- 'build' (the production fit in a build) or 'validate' (a backtest)
  purpose       text not null check (purpose in ('build', 'validate')),
  -- 'cancellation' (the source's own cancellations) or 'no_purchase' (no purchase within churn_days)
  label         text not null,
  source        text not null,
  cutoff        date not null,
  horizon_months integer not null,
  -- the chosen L2 strength and every candidate's cross-validated log loss
  lambda        double precision,
  cv            jsonb,
  -- {feature: coefficient} on standardised features, with the intercept
  coefficients  jsonb,
  -- {roc_auc, pr_auc, lift_top_decile, calibration, baselines…} (validate) or training figures (build)
  metrics       jsonb,
  training_rows integer,
  positives     integer,
  settings      jsonb not null default '{}',
  fitted_at     timestamptz not null default now()
);
