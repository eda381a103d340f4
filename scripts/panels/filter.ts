/**
 * The dashboard's filters, as one SQL parameter. Every customer-grain panel starts from the same
 * `filtered` CTE, so one filter narrows every panel the same way; an empty filter keeps every
 * customer (which is what the report shows).
 */
import { quoteIdent } from '../core/sql.ts';
import type { Queryable } from './run.ts';

/** Where a domain dimension is read: a customer-grain gold view and its column. */
export interface DimensionSource {
  readonly view: string;
  readonly column: string;
}

/**
 * Dimensions a domain adds to the filters, as the property files declare them (meta.dimension,
 * listed by gold.dimensions()) when the domain's gold is published.
 */
export interface DomainDimensions {
  /** the airline card tier: the dimension loyalty_card */
  readonly cardTier?: DimensionSource;
  /** the airline province: the dimension province */
  readonly province?: DimensionSource;
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

/** The dashboard's domain filters and the dimension each one is. */
const DOMAIN_FILTERS = { cardTier: 'loyalty_card', province: 'province' } as const;

/**
 * The domain filters whose dimension this build declares and publishes (gold.dimensions(), which
 * reads the property files' flags); none when the operations are not installed.
 */
export async function domainDimensions(db: Queryable): Promise<DomainDimensions> {
  // asked first: a failed call would end the caller's (read-only) transaction
  const installed = await db.query(`select to_regprocedure('gold.dimensions()') is not null as present`);
  if (!installed.rows[0]?.present) return {};
  const { rows } = await db.query(`select dimension, source_view, source_column from gold.dimensions() where dimension = any($1::text[])`, [
    Object.values(DOMAIN_FILTERS),
  ]);
  const found = new Map((rows as { dimension: string; source_view: string; source_column: string }[]).map((r) => [r.dimension, { view: r.source_view, column: r.source_column }]));
  return Object.fromEntries(
    Object.entries(DOMAIN_FILTERS).flatMap(([filter, dimension]) => (found.has(dimension) ? [[filter, found.get(dimension)!]] : [])),
  );
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
 * CTE. The SQL text depends only on the declared dimensions' views and columns (from
 * gold.dimensions(), quoted); the values are still parameters.
 */
export function withDomainFilters(sql: string, domains: DomainDimensions = {}): string {
  if (!sql.includes(DOMAIN_SLOT)) return sql;
  const conditions = (Object.keys(DOMAIN_FILTERS) as (keyof DomainDimensions)[]).flatMap((filter) => {
    const source = domains[filter];
    if (!source) return [];
    return [`and ($1::jsonb ->> '${filter}' is null or exists (
          select 1 from gold.${quoteIdent(source.view)} as m
          where m.customer_id = f.customer_id and m.${quoteIdent(source.column)}::text = $1::jsonb ->> '${filter}'))`];
  });
  return sql.replace(DOMAIN_SLOT, conditions.join('\n      '));
}
