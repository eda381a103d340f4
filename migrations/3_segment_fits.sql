-- Every k-means fit the segment_centres model makes, one row per build, kept whether or not the
-- build was published: the history of how segments were chosen, and the highest segment id ever
-- handed out (ids are never reused for a different segment, see docs/segments.md §5).
-- gold.segment_fit_candidates shows the published fit's row; this table itself is never published.
create table strata_meta.segment_fits (
  build_id           bigint primary key,
  -- the customer_features columns clustered, in centre order
  features           text[] not null,
  -- {features, log1p, mean, sd}: how raw features became standardised vectors
  transform          jsonb not null,
  -- every k tried: [{k, inertia, silhouette, davies_bouldin, smallest_share, chosen}]
  candidates         jsonb not null,
  chosen_k           integer not null,
  seed               integer not null,
  -- customers in the fitted sample
  sample_size        integer not null,
  -- k-means++ restarts of the final fit at chosen_k
  restarts           integer not null,
  -- the final fit's within-segment sum of squares on the fitted sample
  inertia            double precision not null,
  -- the candidates were measured on this many customers of the sample, with this many restarts
  search_sample_size integer not null,
  search_restarts    integer not null,
  -- [{segment_id, segment_name, customers_in_sample, centre: {feature: value in original units}}]
  segments           jsonb not null,
  fitted_at          timestamptz not null default now()
);
