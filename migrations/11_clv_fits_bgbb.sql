-- The BG/BB (Fader, Hardie & Shang 2010) for sources on a grid of discrete opportunities (var
-- clv_discrete_sources, docs/clv.md "Discrete sources"): its fits are recorded like the others'.
-- The model check of migration 5 listed the three continuous-time models and Gamma-Gamma only.
alter table strata_meta.clv_fits drop constraint if exists clv_fits_model_check;
alter table strata_meta.clv_fits
  add constraint clv_fits_model_check check (model in ('bgnbd', 'mbgnbd', 'pareto', 'bgbb', 'gammagamma'));
