-- Every lifetime-value fit the clv_predictions model makes, one row per build and model, kept
-- whether or not the build was published: the purchase model applied (bgnbd, mbgnbd or pareto)
-- and the spend model (gammagamma). A fit that failed is recorded too, with converged = false and
-- its error, so the history says why a build stopped. Never published itself; see docs/clv.md.
create table strata_meta.clv_fits (
  build_id        bigint not null,
  model           text not null check (model in ('bgnbd', 'mbgnbd', 'pareto', 'gammagamma')),
  -- purchase: the number and timing of purchases; spend: the value of an order
  role            text not null check (role in ('purchase', 'spend')),
  -- the unit of t_x, T and of the time-scale parameters (alpha, beta): day, week or month
  time_unit       text not null,
  -- {r, alpha, a, b} / {r, alpha, s, beta} / {p, q, v}; null when the fit failed
  params          jsonb,
  -- per parameter, from the inverse numerical Hessian; null where it could not be computed
  standard_errors jsonb,
  log_likelihood  double precision,
  converged       boolean not null,
  iterations      integer,
  -- customers the fit saw (spend: the sampled repeat customers) and the distinct rows they form
  customers       bigint,
  distinct_rows   integer,
  warnings        text[] not null default '{}',
  error           text,
  -- how the purchase model was chosen: the var clv_model, or 'auto' and the holdout that decided
  selection       text not null,
  -- clv_model auto: every candidate's calibration fit and holdout metrics, and the naive baseline
  holdout         jsonb,
  -- the vars the build used: time unit, horizon, discount rate, holdout weeks, spend sample
  settings        jsonb not null,
  fit_ms          double precision,
  fitted_at       timestamptz not null default now(),
  primary key (build_id, model)
);
