/**
 * The SQL behind every panel of the report and the dashboard, in one place. Customer-grain panels
 * start from FILTERED_CUSTOMERS ($1, the filter as JSON; panels' own parameters from $2), so the
 * dashboard's filters narrow all of them alike and the report (no filter) shows everyone.
 * Everything reads published gold; build records come from strata_meta.
 */
import { FILTERED_CUSTOMERS } from './filter.ts';

/** Headline KPIs of the filtered customers; equal to gold.kpis when nothing is filtered, with the unit of their values. */
export const KPIS = `
with ${FILTERED_CUSTOMERS}
select count(*)                                            as customers,
       count(*) filter (where is_active)                   as active_customers,
       round(1 - count(*) filter (where is_active)::numeric / nullif(count(*), 0), 4) as churn_rate,
       coalesce(sum(monetary), 0)                          as revenue,
       coalesce(sum(frequency), 0)                         as orders,
       round(sum(monetary) / nullif(sum(frequency), 0), 2) as average_order_value,
       coalesce(sum(c.churn_probability * c.clv_12m), 0)   as value_at_risk,
       -- the unit of the values above, as the macro value_units labels gold's sums: one unit,
       -- or 'mixed' when customers of sources in different units are added
       case when min(c.value_unit) = max(c.value_unit) then min(c.value_unit)
            when count(c.value_unit) > 0 then 'mixed' end   as value_unit
from filtered
left join gold.customer_clv as c using (customer_id)`;

/** The published build's id and time, from strata_meta (the newest publication). */
export const PUBLISHED_BUILD = `
select p.build_id, p.published_at, p.kind, b.started_at, b.finished_at
from strata_meta.publications as p
join strata_meta.builds as b using (build_id)
order by p.publication_id desc
limit 1`;

/**
 * Where the previous published build keeps a gold model's rows: the physical table its
 * publication pointed at (a build's partition in strata_store, docs/storage.md), if retention has
 * not dropped it. $1 = the current build id, $2 = the model's node id (model.kpis). Right for
 * table models, whose partition holds exactly that build's rows.
 */
export const PREVIOUS_RELATION = `
select r.physical_schema, r.physical_name, p.build_id
from strata_meta.publications as p
join strata_meta.published_relations as r using (publication_id)
where p.build_id < $1 and p.kind = 'publish' and r.node_id = $2
  and to_regclass(format('%I.%I', r.physical_schema, r.physical_name)) is not null
order by p.publication_id desc
limit 1`;

/** Customers and revenue per k-means segment, with shares of the filtered total. */
export const SEGMENTS = `
with ${FILTERED_CUSTOMERS}
select segment_id, segment_name,
       count(*) as customers,
       sum(monetary) as revenue,
       count(*)::numeric / sum(count(*)) over () as customer_share,
       sum(monetary) / nullif(sum(sum(monetary)) over (), 0) as revenue_share
from filtered
group by segment_id, segment_name
order by segment_id`;

/** The profiled features of customer_features, as segment_profiles lists them. */
export const PROFILE_FEATURES = ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'distinct_products', 'return_rate'] as const;

/** Feature means per segment against the overall mean (index = segment mean / overall mean). */
export const SEGMENT_PROFILE = `
with ${FILTERED_CUSTOMERS},
features as (
    select s.segment_name, s.segment_id, f.*
    from gold.customer_features as f
    join filtered as s using (customer_id)
),
long as (
    select segment_id, segment_name, feature, value
    from features,
    lateral (values ${PROFILE_FEATURES.map((f) => `('${f}', ${f}::float8)`).join(', ')}) as v(feature, value)
),
overall as (
    select feature, avg(value) as overall_mean from long group by feature
)
select l.segment_id, l.segment_name, l.feature, avg(l.value) as segment_mean, o.overall_mean,
       avg(l.value) / nullif(o.overall_mean, 0) as ratio
from long as l
join overall as o using (feature)
group by l.segment_id, l.segment_name, l.feature, o.overall_mean
order by l.segment_id, l.feature`;

/** The k-selection curves of the published fit. */
export const K_SELECTION = `
select k, inertia, silhouette, davies_bouldin, smallest_share, chosen
from gold.segment_fit_candidates
order by k`;

/** The 5×5 recency × frequency grid: every cell, even an empty one. */
export const RFM_GRID = `
with ${FILTERED_CUSTOMERS},
cells as (
    select r, f from generate_series(1, 5) as r, generate_series(1, 5) as f
)
select cells.r as r_score, cells.f as f_score,
       count(filtered.customer_id) as customers,
       coalesce(sum(filtered.monetary), 0) as revenue
from cells
left join filtered on filtered.r_score = cells.r and filtered.f_score = cells.f
group by cells.r, cells.f
order by cells.r, cells.f`;

/** Customers and revenue of every named RFM segment (all names of the rule table, even empty ones). */
export const RFM_SEGMENTS = `
with ${FILTERED_CUSTOMERS},
names as (
    select segment from gold.segment_contribution where segment_kind = 'rfm'
)
select names.segment as rfm_segment,
       count(filtered.customer_id) as customers,
       coalesce(sum(filtered.monetary), 0) as revenue
from names
left join filtered on filtered.rfm_segment = names.segment
group by names.segment
order by customers desc, names.segment`;

/** Bins of the CLV histogram ($2): equal widths from 0 to the 99th percentile; the last bin takes the tail. */
export const CLV_BINS = 20;

/** CLV distribution: every bin, even an empty one. */
export const CLV_DISTRIBUTION = `
with ${FILTERED_CUSTOMERS},
values_ as (
    select c.clv_12m::float8 as clv from filtered join gold.customer_clv as c using (customer_id)
),
bounds as (
    select greatest(percentile_cont(0.99) within group (order by clv), 1e-9) as top, $2::int as bins from values_
),
binned as (
    select least(floor(clv / bounds.top * bounds.bins)::int, bounds.bins - 1) as bin from values_, bounds
)
select b as bin, b * bounds.top / bounds.bins as bin_start, (b + 1) * bounds.top / bounds.bins as bin_end,
       count(binned.bin) as customers
from bounds
cross join generate_series(0, bounds.bins - 1) as b
left join binned on binned.bin = b
group by b, bounds.top, bounds.bins
order by b`;

/** Points drawn in the churn × CLV scatter ($2); the most valuable are kept when there are more. */
export const SCATTER_POINTS = 1500;

/**
 * Churn probability against CLV, with the priority quadrant: CLV above the median and churn
 * probability above 0.5 are the customers worth saving. The thresholds come back on every row.
 */
export const CHURN_VS_CLV = `
with ${FILTERED_CUSTOMERS},
scored as (
    select filtered.customer_id, c.clv_12m::float8 as clv_12m, c.churn_probability::float8 as churn_probability
    from filtered join gold.customer_clv as c using (customer_id)
),
thresholds as (
    select percentile_cont(0.5) within group (order by clv_12m) as clv_median from scored
)
select s.customer_id, s.clv_12m, s.churn_probability, t.clv_median, 0.5 as churn_threshold,
       case when s.clv_12m > t.clv_median and s.churn_probability > 0.5 then 'save first'
            when s.clv_12m > t.clv_median then 'keep happy'
            when s.churn_probability > 0.5 then 'let go'
            else 'low value, active' end as quadrant
from scored as s cross join thresholds as t
order by s.clv_12m * s.churn_probability desc, s.customer_id
limit $2`;

/** The top customers to save ($2 = how many), ranked by value at risk. */
export const TOP_RISK = `
with ${FILTERED_CUSTOMERS}
select p.rank, p.customer_id, p.value_at_risk, p.churn_probability, p.clv_12m,
       p.rfm_segment, p.kmeans_segment, f.country, p.recency_days, p.frequency, p.monetary
from gold.retention_priorities as p
join filtered as f using (customer_id)
order by p.rank
limit $2`;

/** The customer table: $2 = a search text (customer id or country, null = all), $3 = rows. */
export const CUSTOMERS = `
with ${FILTERED_CUSTOMERS}
select f.customer_id, f.country, f.segment_name, f.rfm_segment, f.recency_days, f.frequency,
       f.monetary, c.clv_12m, c.churn_probability
from filtered as f
left join gold.customer_clv as c using (customer_id)
where $2::text is null or f.customer_id ilike '%' || $2 || '%' or f.country ilike '%' || $2 || '%'
order by f.monetary desc, f.customer_id
limit $3`;

/** How many customers the customer table's search matches (it shows at most its limit). */
export const CUSTOMERS_COUNT = `
with ${FILTERED_CUSTOMERS}
select count(*) as customers
from filtered as f
where $2::text is null or f.customer_id ilike '%' || $2 || '%' or f.country ilike '%' || $2 || '%'`;

/** One customer's features, scores, segment, CLV and churn ($1 = customer id). */
export const CUSTOMER_DETAIL = `
select f.*, r.r_score, r.f_score, r.m_score, r.rfm_cell, r.rfm_segment,
       s.segment_id, s.segment_name, s.distance,
       c.p_alive, c.churn_probability, c.expected_purchases_90d, c.expected_avg_order_value,
       c.clv_12m, c.clv_12m_if_active, p.rank as risk_rank, p.value_at_risk
from gold.customer_features as f
join gold.customer_rfm as r using (customer_id)
join gold.customer_segments as s using (customer_id)
left join gold.customer_clv as c using (customer_id)
left join gold.retention_priorities as p using (customer_id)
where f.customer_id = $1`;

/** One customer's segment history, oldest first ($1 = customer id). */
export const CUSTOMER_HISTORY = `
select rfm_segment, segment_id, segment_name, dbt_valid_from, dbt_valid_to
from gold.segment_history
where customer_id = $1
order by dbt_valid_from`;

/** The values each filter can take. */
export const FILTER_OPTIONS = `
select 'segment' as filter, segment_name as value from (select distinct segment_name from gold.customer_segments) s
union all
select 'rfmSegment', segment from gold.segment_contribution where segment_kind = 'rfm'
union all
select 'country', country from (select distinct country from gold.customer_features) c
order by 1, 2`;

/** Where customers' current segments came from ($1 = rfm or kmeans). */
export const MIGRATIONS = `
select from_segment, to_segment, customers
from gold.segment_migrations
where segment_kind = $1
order by from_segment, to_segment`;

/** Monthly KPIs over time. */
export const MONTHLY = `
select month, customers, new_customers, purchasing_customers, active_customers, churn_rate, orders, revenue
from gold.kpi_monthly
order by month`;

/** Rows kept and set aside from landing to gold. */
export const DATA_QUALITY = `
select source, model, stage, step, rule, rows
from gold.data_quality_counts
order by ordinal, rows desc, rule`;

/** The published build's data test results ($1 = build id): counts by status, and every non-pass. */
export const TEST_RESULTS = `
select test_id, status, severity, failures, message
from strata_meta.test_results
where build_id = $1
order by status <> 'pass' desc, test_id`;

/**
 * The lifetime-value fits of the build behind gold.customer_clv, of the sources with lifetime value
 * (each source is fitted on its own), the source with most customers first.
 */
export const CLV_FITS = `
select f.source, f.model, f.role, f.selection, f.holdout, f.log_likelihood, f.converged, f.customers, f.build_id
from strata_meta.clv_fits as f
where f.build_id = (select max(build_id) from gold.customer_clv)
  and f.source in (select distinct source from gold.customer_clv)
order by f.role, f.customers desc nulls last, f.source, f.model`;

/** Recommendations per segment, from the seed segment_playbook via gold. */
export const RECOMMENDATIONS = `
select segment_kind, segment, action, rationale, customers, value_at_risk, do_nothing_loss, expected_clv_12m
from gold.segment_recommendations
order by segment_kind desc, value_at_risk desc nulls last, segment`;

/** Value at risk per segment (value_at_risk). */
export const VALUE_AT_RISK = `
select segment_kind, segment, customers, expected_clv_12m, value_at_risk, do_nothing_loss, mean_churn_probability
from gold.value_at_risk
order by segment_kind, value_at_risk desc`;
