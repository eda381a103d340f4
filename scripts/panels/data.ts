/**
 * Typed loaders, one per panel: run the panel's SQL (sql.ts) with the filter's parameters and
 * turn rows into plain data the charts and tables receive. Unit tests check these against
 * independent queries on a fixture build.
 */
import { quoteIdent } from '../core/sql.ts';
import { filterParams, withDomainFilters, type CustomerFilter, type DomainDimensions } from './filter.ts';
import { num, num0, str, type Queryable, type Row } from './run.ts';
import * as q from './sql.ts';

export interface Kpis {
  readonly customers: number;
  readonly activeCustomers: number;
  readonly churnRate: number;
  readonly revenue: number;
  readonly orders: number;
  readonly averageOrderValue: number | null;
  readonly valueAtRisk: number;
  /** the unit of revenue, order value and value at risk (customer_clv.value_unit): one unit, 'mixed', or null when unknown */
  readonly valueUnit: string | null;
}

async function rows(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<readonly Row[]> {
  return (await db.query(sql, [...params])).rows as Row[];
}

/** A customer-grain panel: the filter as $1 (with the domain conditions that exist), then `extra`. */
async function filtered(db: Queryable, sql: string, filter: CustomerFilter, extra: readonly unknown[] = []): Promise<readonly Row[]> {
  return rows(db, withDomainFilters(sql, filter.domains), [...filterParams(filter), ...extra]);
}

export async function loadKpis(db: Queryable, filter: CustomerFilter = {}): Promise<Kpis> {
  return kpisOf((await filtered(db, q.KPIS, filter))[0]!);
}

function kpisOf(r: Row): Kpis {
  return {
    customers: num0(r.customers),
    activeCustomers: num0(r.active_customers),
    churnRate: num0(r.churn_rate),
    revenue: num0(r.revenue),
    orders: num0(r.orders),
    averageOrderValue: num(r.average_order_value),
    valueAtRisk: num0(r.value_at_risk),
    valueUnit: r.value_unit === null || r.value_unit === undefined ? null : str(r.value_unit),
  };
}

export interface PublishedBuild {
  readonly buildId: number;
  readonly publishedAt: Date;
  readonly kind: string;
}

export async function loadPublishedBuild(db: Queryable): Promise<PublishedBuild | undefined> {
  const [r] = await rows(db, q.PUBLISHED_BUILD);
  return r ? { buildId: num0(r.build_id), publishedAt: r.published_at as Date, kind: str(r.kind) } : undefined;
}

/**
 * The previous published build's headline KPIs, read from its kept gold tables (kpis and
 * value_at_risk); undefined when there was none or retention dropped it.
 */
export async function loadPreviousKpis(db: Queryable, currentBuild: number): Promise<{ buildId: number; kpis: Kpis } | undefined> {
  const [kpis] = await rows(db, q.PREVIOUS_RELATION, [currentBuild, 'model.kpis']);
  if (!kpis) return undefined;
  const table = `${quote(str(kpis.physical_schema))}.${quote(str(kpis.physical_name))}`;
  const [k] = await rows(db, `select customers, active_customers, churn_rate, revenue, orders, average_order_value from ${table}`);
  if (!k) return undefined;
  const [risk] = await rows(db, q.PREVIOUS_RELATION, [currentBuild, 'model.value_at_risk']);
  let valueAtRisk = 0;
  if (risk && num0(risk.build_id) === num0(kpis.build_id)) {
    const vtable = `${quote(str(risk.physical_schema))}.${quote(str(risk.physical_name))}`;
    const [v] = await rows(db, `select value_at_risk from ${vtable} where segment_kind = 'all'`);
    valueAtRisk = num0(v?.value_at_risk);
  }
  return { buildId: num0(kpis.build_id), kpis: kpisOf({ ...k, value_at_risk: valueAtRisk }) };
}

// identifiers read from strata_meta, quoted before they are placed in SQL text
function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export interface SegmentRow {
  readonly segmentId: number;
  readonly segment: string;
  readonly customers: number;
  readonly revenue: number;
  readonly customerShare: number;
  readonly revenueShare: number;
}

export async function loadSegments(db: Queryable, filter: CustomerFilter = {}): Promise<SegmentRow[]> {
  return (await filtered(db, q.SEGMENTS, filter)).map((r) => ({
    segmentId: num0(r.segment_id),
    segment: str(r.segment_name),
    customers: num0(r.customers),
    revenue: num0(r.revenue),
    customerShare: num0(r.customer_share),
    revenueShare: num0(r.revenue_share),
  }));
}

export interface ProfileCell {
  readonly segment: string;
  readonly feature: string;
  readonly segmentMean: number;
  readonly overallMean: number;
  /** segment mean / overall mean; 1 = average */
  readonly ratio: number | null;
}

export async function loadSegmentProfile(db: Queryable, filter: CustomerFilter = {}): Promise<ProfileCell[]> {
  return (await filtered(db, q.SEGMENT_PROFILE, filter)).map((r) => ({
    segment: str(r.segment_name),
    feature: str(r.feature),
    segmentMean: num0(r.segment_mean),
    overallMean: num0(r.overall_mean),
    ratio: num(r.ratio),
  }));
}

export interface KCandidate {
  readonly k: number;
  readonly inertia: number | null;
  readonly silhouette: number | null;
  readonly chosen: boolean;
}

export async function loadKSelection(db: Queryable): Promise<KCandidate[]> {
  return (await rows(db, q.K_SELECTION)).map((r) => ({
    k: num0(r.k),
    inertia: num(r.inertia),
    silhouette: num(r.silhouette),
    chosen: r.chosen === true,
  }));
}

export interface RfmCell {
  readonly r: number;
  readonly f: number;
  readonly customers: number;
  readonly revenue: number;
}

export async function loadRfmGrid(db: Queryable, filter: CustomerFilter = {}): Promise<RfmCell[]> {
  return (await filtered(db, q.RFM_GRID, filter)).map((r) => ({
    r: num0(r.r_score),
    f: num0(r.f_score),
    customers: num0(r.customers),
    revenue: num0(r.revenue),
  }));
}

export interface NamedCount {
  readonly segment: string;
  readonly customers: number;
  readonly revenue: number;
}

export async function loadRfmSegments(db: Queryable, filter: CustomerFilter = {}): Promise<NamedCount[]> {
  return (await filtered(db, q.RFM_SEGMENTS, filter)).map((r) => ({
    segment: str(r.rfm_segment),
    customers: num0(r.customers),
    revenue: num0(r.revenue),
  }));
}

export interface ClvBin {
  readonly bin: number;
  readonly start: number;
  readonly end: number;
  readonly customers: number;
}

export async function loadClvDistribution(db: Queryable, filter: CustomerFilter = {}): Promise<ClvBin[]> {
  return (await filtered(db, q.CLV_DISTRIBUTION, filter, [q.CLV_BINS])).map((r) => ({
    bin: num0(r.bin),
    start: num0(r.bin_start),
    end: num0(r.bin_end),
    customers: num0(r.customers),
  }));
}

export interface ChurnPoint {
  readonly customerId: string;
  readonly clv: number;
  readonly churn: number;
  readonly quadrant: string;
  readonly clvMedian: number;
}

export async function loadChurnVsClv(db: Queryable, filter: CustomerFilter = {}, limit = q.SCATTER_POINTS): Promise<ChurnPoint[]> {
  return (await filtered(db, q.CHURN_VS_CLV, filter, [limit])).map((r) => ({
    customerId: str(r.customer_id),
    clv: num0(r.clv_12m),
    churn: num0(r.churn_probability),
    quadrant: str(r.quadrant),
    clvMedian: num0(r.clv_median),
  }));
}

export interface RiskRow {
  readonly rank: number;
  readonly customerId: string;
  readonly valueAtRisk: number;
  readonly churnProbability: number;
  readonly clv: number;
  readonly rfmSegment: string;
  readonly segment: string;
  readonly country: string;
}

export async function loadTopRisk(db: Queryable, filter: CustomerFilter = {}, limit = 20): Promise<RiskRow[]> {
  return (await filtered(db, q.TOP_RISK, filter, [limit])).map((r) => ({
    rank: num0(r.rank),
    customerId: str(r.customer_id),
    valueAtRisk: num0(r.value_at_risk),
    churnProbability: num0(r.churn_probability),
    clv: num0(r.clv_12m),
    rfmSegment: str(r.rfm_segment),
    segment: str(r.kmeans_segment),
    country: str(r.country),
  }));
}

export interface CustomerRow {
  readonly customerId: string;
  readonly country: string;
  readonly segment: string;
  readonly rfmSegment: string;
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly clv: number | null;
  readonly churnProbability: number | null;
}

export async function loadCustomers(
  db: Queryable,
  filter: CustomerFilter = {},
  search?: string,
  limit = 100,
): Promise<{ rows: CustomerRow[]; total: number }> {
  const text = search?.trim() || null;
  const [count] = await filtered(db, q.CUSTOMERS_COUNT, filter, [text]);
  const list = (await filtered(db, q.CUSTOMERS, filter, [text, limit])).map((r) => ({
    customerId: str(r.customer_id),
    country: str(r.country),
    segment: str(r.segment_name),
    rfmSegment: str(r.rfm_segment),
    recencyDays: num0(r.recency_days),
    frequency: num0(r.frequency),
    monetary: num0(r.monetary),
    clv: num(r.clv_12m),
    churnProbability: num(r.churn_probability),
  }));
  return { rows: list, total: num0(count?.customers) };
}

export interface CustomerDetail {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly history: readonly Row[];
}

export async function loadCustomerDetail(db: Queryable, customerId: string): Promise<CustomerDetail | undefined> {
  const [fields] = await rows(db, q.CUSTOMER_DETAIL, [customerId]);
  if (!fields) return undefined;
  return { fields, history: await rows(db, q.CUSTOMER_HISTORY, [customerId]) };
}

export interface FilterOptions {
  readonly segment: readonly string[];
  readonly rfmSegment: readonly string[];
  readonly country: readonly string[];
  /** empty unless the airline domain's gold.loyalty_members is published */
  readonly cardTier: readonly string[];
  readonly province: readonly string[];
}

export async function loadFilterOptions(db: Queryable, domains: DomainDimensions = {}): Promise<FilterOptions> {
  const options = { segment: [] as string[], rfmSegment: [] as string[], country: [] as string[], cardTier: [] as string[], province: [] as string[] };
  for (const r of await rows(db, q.FILTER_OPTIONS)) options[str(r.filter) as keyof typeof options].push(str(r.value));
  for (const filter of ['cardTier', 'province'] as const) {
    const source = domains[filter];
    if (!source) continue;
    const column = quoteIdent(source.column);
    const { rows: values } = await db.query(
      `select distinct ${column}::text as v from gold.${quoteIdent(source.view)} where ${column} is not null order by 1`,
    );
    options[filter] = (values as Row[]).map((r) => str(r.v));
  }
  return options;
}

export interface Migration {
  readonly from: string;
  readonly to: string;
  readonly customers: number;
}

export async function loadMigrations(db: Queryable, kind: 'rfm' | 'kmeans'): Promise<Migration[]> {
  return (await rows(db, q.MIGRATIONS, [kind])).map((r) => ({ from: str(r.from_segment), to: str(r.to_segment), customers: num0(r.customers) }));
}

export interface MonthRow {
  readonly month: string;
  readonly customers: number;
  readonly newCustomers: number;
  readonly activeCustomers: number;
  readonly churnRate: number;
  readonly orders: number;
  readonly revenue: number;
}

export async function loadMonthly(db: Queryable): Promise<MonthRow[]> {
  return (await rows(db, q.MONTHLY)).map((r) => ({
    month: isoDay(r.month),
    customers: num0(r.customers),
    newCustomers: num0(r.new_customers),
    activeCustomers: num0(r.active_customers),
    churnRate: num0(r.churn_rate),
    orders: num0(r.orders),
    revenue: num0(r.revenue),
  }));
}

/** A date column as YYYY-MM-DD (pg gives a Date at local midnight). */
export function isoDay(value: unknown): string {
  if (value instanceof Date) {
    const y = value.getFullYear();
    const m = String(value.getMonth() + 1).padStart(2, '0');
    const d = String(value.getDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  return str(value).slice(0, 10);
}

export interface QualityRow {
  /** retail, travel, airline, or all (landing, gold) */
  readonly source: string;
  /** the model whose rows are counted */
  readonly model: string;
  readonly stage: string;
  readonly step: string;
  readonly rule: string;
  readonly rows: number;
}

export async function loadDataQuality(db: Queryable): Promise<QualityRow[]> {
  return (await rows(db, q.DATA_QUALITY)).map((r) => ({ source: str(r.source), model: str(r.model), stage: str(r.stage), step: str(r.step), rule: str(r.rule), rows: num0(r.rows) }));
}

export interface TestRow {
  readonly testId: string;
  readonly status: string;
  readonly severity: string;
  readonly failures: number;
  readonly message: string;
}

export async function loadTestResults(db: Queryable, buildId: number): Promise<TestRow[]> {
  return (await rows(db, q.TEST_RESULTS, [buildId])).map((r) => ({
    testId: str(r.test_id),
    status: str(r.status),
    severity: str(r.severity),
    failures: num0(r.failures),
    message: str(r.message),
  }));
}

export interface ClvFitDiagnostics {
  readonly chosenModel: string;
  readonly selection: string;
  readonly holdoutWeeks: number | null;
  /** per candidate model (and the naive baseline): predicted and actual holdout purchases, MAE */
  readonly candidates: readonly { model: string; predicted: number; actual: number; mae: number; correlation: number | null }[];
}

export async function loadClvFit(db: Queryable): Promise<ClvFitDiagnostics | undefined> {
  const fits = await rows(db, q.CLV_FITS);
  const purchase = fits.find((r) => str(r.role) === 'purchase');
  if (!purchase) return undefined;
  const holdout = (purchase.holdout ?? {}) as {
    holdout_weeks?: number;
    candidates?: { model: string; metrics: HoldoutMetricsJson | null }[];
    naive?: HoldoutMetricsJson | null;
  };
  const candidates = [
    ...(holdout.candidates ?? []).filter((c) => c.metrics).map((c) => ({ model: c.model, ...metricsOf(c.metrics!) })),
    ...(holdout.naive ? [{ model: 'naive (same rate)', ...metricsOf(holdout.naive) }] : []),
  ];
  return { chosenModel: str(purchase.model), selection: str(purchase.selection), holdoutWeeks: holdout.holdout_weeks ?? null, candidates };
}

interface HoldoutMetricsJson {
  readonly predictedTotal: number;
  readonly actualTotal: number;
  readonly mae: number;
  readonly correlation: number | null;
}

function metricsOf(m: HoldoutMetricsJson): { predicted: number; actual: number; mae: number; correlation: number | null } {
  return { predicted: m.predictedTotal, actual: m.actualTotal, mae: m.mae, correlation: m.correlation ?? null };
}

export interface Recommendation {
  readonly kind: string;
  readonly segment: string;
  readonly action: string;
  readonly rationale: string;
  readonly customers: number;
  readonly valueAtRisk: number;
  readonly doNothingLoss: number;
}

export async function loadRecommendations(db: Queryable): Promise<Recommendation[]> {
  return (await rows(db, q.RECOMMENDATIONS)).map((r) => ({
    kind: str(r.segment_kind),
    segment: str(r.segment),
    action: str(r.action),
    rationale: str(r.rationale),
    customers: num0(r.customers),
    valueAtRisk: num0(r.value_at_risk),
    doNothingLoss: num0(r.do_nothing_loss),
  }));
}
