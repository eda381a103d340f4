-- Lifetime-value fits per source (docs/clv.md, "Per-source fits"): clv_predictions fits each
-- source of customer_clv_summary (silver orders.source: retail_order_lines,
-- stg_travel_order_lines, stg_airline_flight_activity, ...) on its own customers, so a build
-- records one row per build, source and model. Rows written before this migration were fitted
-- on all customers together; they keep source 'all'.
alter table strata_meta.clv_fits add column source text not null default 'all';
alter table strata_meta.clv_fits alter column source drop default;
alter table strata_meta.clv_fits drop constraint clv_fits_pkey;
alter table strata_meta.clv_fits add primary key (build_id, source, model);
