/**
 * The dashboard's filters, as SQL parameters. Every customer-grain panel starts from the same
 * `filtered` CTE, so one filter narrows every panel the same way; an empty filter keeps every
 * customer (which is what the report shows).
 */
export interface CustomerFilter {
  /** k-means segment name (gold.customer_segments.segment_name) */
  readonly segment?: string;
  /** named RFM segment (gold.customer_rfm.rfm_segment) */
  readonly rfmSegment?: string;
  /** gold.customer_features.country */
  readonly country?: string;
}

/** The filter's parameters, in the order `$1`, `$2`, `$3` of FILTERED_CUSTOMERS; null = any. */
export function filterParams(filter: CustomerFilter): [string | null, string | null, string | null] {
  return [filter.segment || null, filter.rfmSegment || null, filter.country || null];
}

/**
 * `filtered`: the customers the filter keeps, with the columns most panels need. Takes $1..$3
 * (filterParams); panels add their own parameters from $4.
 */
export const FILTERED_CUSTOMERS = `
filtered as (
    select f.customer_id, f.country, f.recency_days, f.frequency, f.monetary, f.is_active,
           r.r_score, r.f_score, r.m_score, r.rfm_segment, s.segment_id, s.segment_name
    from gold.customer_features as f
    join gold.customer_rfm as r using (customer_id)
    join gold.customer_segments as s using (customer_id)
    where ($1::text is null or s.segment_name = $1)
      and ($2::text is null or r.rfm_segment = $2)
      and ($3::text is null or f.country = $3)
)`;
