/**
 * The dashboard's filters, as one SQL parameter. Every customer-grain panel starts from the same
 * `filtered` CTE, so one filter narrows every panel the same way; an empty filter keeps every
 * customer (which is what the report shows).
 */
import type { GoldCatalog } from './catalog.ts';

/** Dimensions a domain adds to the filters, when its gold tables are published. */
export interface DomainDimensions {
  /** airline: gold.loyalty_members, with its card tier column (property file: loyalty_card) */
  readonly loyalty?: { readonly tierColumn: string };
}

export interface CustomerFilter {
  /** k-means segment name (gold.customer_segments.segment_name) */
  readonly segment?: string;
  /** named RFM segment (gold.customer_rfm.rfm_segment) */
  readonly rfmSegment?: string;
  /** gold.customer_features.country */
  readonly country?: string;
  /** airline card tier (gold.loyalty_members); only with `domains.loyalty` */
  readonly cardTier?: string;
  /** airline province (gold.loyalty_members); only with `domains.loyalty` */
  readonly province?: string;
  /** which domain dimensions exist (domainDimensions); without it their filters are ignored */
  readonly domains?: DomainDimensions;
}

/** The filter as `$1`, a JSON object of the chosen values (absent = any). */
export function filterParams(filter: CustomerFilter): [string] {
  const { domains: _domains, ...values } = filter;
  return [JSON.stringify(Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string' && v !== '')))];
}

const LOYALTY_TIER_COLUMNS = ['loyalty_card', 'card_tier'] as const;

/** The domain dimensions the published catalog offers. */
export function domainDimensions(catalog: GoldCatalog): DomainDimensions {
  const tierColumn = LOYALTY_TIER_COLUMNS.find((c) => catalog.has('loyalty_members', c, 'province', 'customer_id'));
  return tierColumn ? { loyalty: { tierColumn } } : {};
}

/** Where FILTERED_CUSTOMERS takes the domain conditions (see withDomainFilters). */
const DOMAIN_SLOT = '/* domain filters */';

/**
 * `filtered`: the customers the filter keeps, with the columns most panels need. Takes `$1`
 * (filterParams); panels add their own parameters from `$2`.
 */
export const FILTERED_CUSTOMERS = `
filtered as (
    select f.customer_id, f.country, f.recency_days, f.frequency, f.monetary, f.is_active,
           r.r_score, r.f_score, r.m_score, r.rfm_segment, s.segment_id, s.segment_name
    from gold.customer_features as f
    join gold.customer_rfm as r using (customer_id)
    join gold.customer_segments as s using (customer_id)
    where ($1::jsonb ->> 'segment' is null or s.segment_name = $1::jsonb ->> 'segment')
      and ($1::jsonb ->> 'rfmSegment' is null or r.rfm_segment = $1::jsonb ->> 'rfmSegment')
      and ($1::jsonb ->> 'country' is null or f.country = $1::jsonb ->> 'country')
      ${DOMAIN_SLOT}
)`;

/**
 * The panel's SQL with the conditions of the domain dimensions that exist put in the filtered
 * CTE. The SQL text depends only on which tables exist (column names are constants); the values
 * are still parameters.
 */
export function withDomainFilters(sql: string, domains: DomainDimensions = {}): string {
  if (!sql.includes(DOMAIN_SLOT)) return sql;
  const conditions: string[] = [];
  if (domains.loyalty) {
    const tier = `"${domains.loyalty.tierColumn}"`;
    conditions.push(`and (($1::jsonb ->> 'cardTier') is null and ($1::jsonb ->> 'province') is null or exists (
          select 1 from gold.loyalty_members as m
          where m.customer_id = f.customer_id
            and ($1::jsonb ->> 'cardTier' is null or m.${tier}::text = $1::jsonb ->> 'cardTier')
            and ($1::jsonb ->> 'province' is null or m.province::text = $1::jsonb ->> 'province')))`);
  }
  return sql.replace(DOMAIN_SLOT, conditions.join('\n      '));
}
