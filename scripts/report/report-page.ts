/**
 * The report as one self-contained HTML file: styles inline, charts inline as SVG rendered by
 * vega (scripts/charts), no script and no network request, so it can be e-mailed or opened from
 * disk. Each section opens with a one-line reading of what it shows.
 */
import { renderSvg } from '../charts/render.ts';
import * as s from '../charts/specs.ts';
import type { Kpis } from '../panels/data.ts';
import type { Row } from '../panels/run.ts';
import { esc, figure, int, money, pct, STYLE, table } from './html.ts';
import type { ReportData } from './report-data.ts';

/** Renders the report page. */
export async function renderReport(data: ReportData, generatedAt: Date): Promise<string> {
  const sections = [
    kpiSection(data),
    await segmentSection(data),
    await rfmSection(data),
    await valueSection(data),
    recommendationSection(data),
    await movementSection(data),
    await qualitySection(data),
    ...(data.travel ? [await travelSection(data.travel)] : []),
    ...(data.airline ? [await airlineSection(data.airline)] : []),
    ...(data.drift ? [await driftSection(data.drift)] : []),
  ];
  const toc = sections.map((x) => `<a href="#${x.id}">${esc(x.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>strata report: build ${data.build.buildId}</title><style>${STYLE}</style></head>
<body><header class="top"><h1>Customer segments: build ${data.build.buildId}</h1>
<p>Published ${esc(data.build.publishedAt.toISOString())} · report made ${esc(generatedAt.toISOString())} · read from published gold</p></header>
<main><nav class="toc">${toc}</nav>
${sections.map((x) => `<section id="${x.id}"><h2>${esc(x.title)}</h2><p class="reading">${esc(x.reading)}</p>${x.body}</section>`).join('\n')}
</main></body></html>
`;
}

interface Section {
  readonly id: string;
  readonly title: string;
  readonly reading: string;
  readonly body: string;
}

async function chart(id: string, spec: Parameters<typeof renderSvg>[0], marks: number, caption?: string): Promise<string> {
  return figure(id, await renderSvg(spec), marks, caption);
}

type NumericKpi = Exclude<keyof Kpis, 'valueUnit'>;

/** Tiles; a `valued` tile is in the source's value unit, which its label names. */
const KPI_TILES: readonly { key: NumericKpi; label: string; format: (v: number | null) => string; valued?: true }[] = [
  { key: 'customers', label: 'Customers', format: int },
  { key: 'activeCustomers', label: 'Active customers', format: int },
  { key: 'churnRate', label: 'Churn rate', format: pct },
  { key: 'revenue', label: 'Revenue', format: money, valued: true },
  { key: 'averageOrderValue', label: 'Average order value', format: money, valued: true },
  { key: 'valueAtRisk', label: 'Value at risk, 12 months', format: money, valued: true },
];

/** "Revenue (GBP)"; "(mixed units)" when sources in different units were added (docs/clv.md, "Value units"). */
function unitLabel(label: string, unit: string | null): string {
  if (unit === null) return label;
  return `${label} (${unit === 'mixed' ? 'mixed units' : unit})`;
}

/** What a reader must know when the values add different units. */
function mixedUnitsNote(unit: string | null): string {
  return unit === 'mixed'
    ? ' These values add sources in different units (see the test gold_mixes_value_units): compare them within one source.'
    : '';
}

/** KPI tiles; with `previous`, each says how it changed since that build. */
export function kpiTiles(kpis: Kpis, previous?: Kpis): string {
  return `<div class="tiles">${KPI_TILES.map(({ key, label, format, valued }) => {
    const now = kpis[key];
    const before = previous?.[key];
    let delta = '';
    if (previous) {
      const change = now !== null && before !== null && before !== undefined ? now - before : null;
      delta = `<div class="delta">${change === null ? 'no earlier figure' : `${change >= 0 ? '+' : '−'}${format(Math.abs(change))} since the previous build`}</div>`;
    }
    return `<div class="tile" data-kpi="${key}"><div class="label">${esc(valued ? unitLabel(label, kpis.valueUnit) : label)}</div><div class="value">${esc(format(now))}</div>${delta}</div>`;
  }).join('')}</div>`;
}

function kpiSection(data: ReportData): Section {
  const { kpis, previous } = data;
  let reading = previous
    ? `${int(kpis.activeCustomers)} of ${int(kpis.customers)} customers are active (churn rate ${pct(kpis.churnRate)}, ${pct(previous.kpis.churnRate)} at build ${previous.buildId}); ${money(kpis.valueAtRisk)} of next year's value is at risk.`
    : `${int(kpis.activeCustomers)} of ${int(kpis.customers)} customers are active (churn rate ${pct(kpis.churnRate)}); ${money(kpis.valueAtRisk)} of next year's value is at risk. No earlier build is kept to compare with.`;
  reading += mixedUnitsNote(kpis.valueUnit);
  return { id: 'kpis', title: 'Headline KPIs', reading, body: kpiTiles(kpis, previous?.kpis) };
}

async function segmentSection(data: ReportData): Promise<Section> {
  const biggest = [...data.segments].sort((a, b) => b.revenueShare - a.revenueShare)[0];
  const chosen = data.kSelection.find((k) => k.chosen);
  const reading = biggest
    ? `${data.segments.length} behavioural segments (k = ${chosen?.k ?? data.segments.length}); "${biggest.segment}" brings ${pct(biggest.revenueShare)} of revenue from ${pct(biggest.customerShare)} of customers.`
    : 'No segments are published.';
  const body = `<div class="grid">
${await chart('segment-size', s.segmentSizeSpec(data.segments), data.segments.length, 'Customers per segment')}
${await chart('segment-revenue-share', s.segmentRevenueShareSpec(data.segments), data.segments.length, 'Share of revenue per segment')}
${await chart('segment-profile', s.segmentProfileSpec(data.profile), data.profile.length, 'Feature mean of each segment divided by the overall mean (1 = average; blue below, orange above)')}
${await chart('k-inertia', s.kSelectionSpec(data.kSelection, 'inertia'), data.kSelection.length, 'Inertia by k (elbow); the chosen k in red')}
${await chart('k-silhouette', s.kSelectionSpec(data.kSelection, 'silhouette'), data.kSelection.length, 'Silhouette by k (higher is better); the chosen k in red')}
</div>`;
  return { id: 'segments', title: 'Segments', reading, body };
}

async function rfmSection(data: ReportData): Promise<Section> {
  const top = [...data.rfmSegments].sort((a, b) => b.revenue - a.revenue)[0];
  const total = data.rfmSegments.reduce((n, r) => n + r.revenue, 0);
  const reading = top
    ? `"${top.segment}" is the RFM segment with the most revenue: ${pct(total ? top.revenue / total : 0)} of it from ${int(top.customers)} customers.`
    : 'No RFM scores are published.';
  const body = `<div class="grid">
${await chart('rfm-grid-customers', s.rfmGridSpec(data.rfmGrid, 'customers'), data.rfmGrid.length, 'Customers by recency × frequency score')}
${await chart('rfm-grid-revenue', s.rfmGridSpec(data.rfmGrid, 'revenue'), data.rfmGrid.length, 'Revenue by recency × frequency score')}
${await chart('rfm-segments', s.rfmSegmentsSpec(data.rfmSegments), data.rfmSegments.length, 'Customers per named RFM segment')}
</div>`;
  return { id: 'rfm', title: 'RFM', reading, body };
}

async function valueSection(data: ReportData): Promise<Section> {
  const save = data.churnVsClv.filter((p) => p.quadrant === 'save first').length;
  const reading = `${int(save)} of the ${int(data.churnVsClv.length)} customers plotted are valuable (CLV above the median) and more likely gone than not: the priority quadrant (red). The table lists the customers with the most value at risk.`;
  const body = `<div class="grid">
${await chart('clv-distribution', s.clvDistributionSpec(data.clvBins), data.clvBins.length, 'Customers by 12-month lifetime value')}
${await chart('churn-vs-clv', s.churnVsClvSpec(data.churnVsClv), data.churnVsClv.length, 'Churn probability against lifetime value (the customers with the most value at risk, at most 1,500)')}
</div>
<h3>Top customers to save</h3>
${table(
  ['rank', 'customer', 'value at risk', 'churn probability', '12-month CLV', 'RFM segment', 'segment', 'country'],
  data.topRisk.map((r) => [r.rank, r.customerId, money(r.valueAtRisk), pct(r.churnProbability), money(r.clv), r.rfmSegment, r.segment, r.country]),
  'data-table="top-risk"',
)}`;
  return { id: 'value', title: 'Value and risk', reading, body };
}

function recommendationSection(data: ReportData): Section {
  const top = data.recommendations.find((r) => r.kind === 'rfm');
  const reading = top
    ? `Act first where the most value is at risk: ${top.segment} (${money(top.valueAtRisk)}). The actions come from seeds/segment_playbook.csv; edit it to change them.`
    : 'No recommendations are published (gold.segment_recommendations is missing).';
  const body = table(
    ['kind', 'segment', 'customers', 'value at risk', 'do-nothing loss', 'what to do', 'why'],
    data.recommendations.map((r) => [r.kind, r.segment, int(r.customers), money(r.valueAtRisk), money(r.doNothingLoss), r.action, r.rationale]),
    'data-table="recommendations"',
  );
  return { id: 'recommendations', title: 'Recommendations per segment', reading, body };
}

async function movementSection(data: ReportData): Promise<Section> {
  const moved = data.migrations.rfm.reduce((n, m) => n + m.customers, 0);
  const last = data.monthly.at(-1);
  const reading = `${int(moved)} customers have moved RFM segment since they were first scored${
    last ? `; in the last month ${int(last.activeCustomers)} customers were active and the churn rate was ${pct(last.churnRate)}.` : '.'
  }`;
  const matrix = async (id: string, rows: typeof data.migrations.rfm, caption: string): Promise<string> =>
    rows.length === 0
      ? `<p data-empty="${id}">${esc(caption)}: no moves yet (a customer's segment changes between two builds).</p>`
      : await chart(id, s.migrationSpec(rows), rows.length, caption);
  const body = `<div class="grid">
${await matrix('migrations-rfm', data.migrations.rfm, 'RFM segment before → now (latest move per customer)')}
${await matrix('migrations-kmeans', data.migrations.kmeans, 'k-means segment before → now')}
</div><div class="grid">
${await chart('monthly-revenue', s.monthlySpec(data.monthly, 'revenue', 'revenue'), data.monthly.length, 'Revenue per month')}
${await chart('monthly-active', s.monthlySpec(data.monthly, 'activeCustomers', 'active customers'), data.monthly.length, 'Active customers at month end')}
${await chart('monthly-churn', s.monthlySpec(data.monthly, 'churnRate', 'churn rate'), data.monthly.length, 'Churn rate at month end')}
</div>`;
  return { id: 'movement', title: 'Movement', reading, body };
}

async function qualitySection(data: ReportData): Promise<Section> {
  const counts = (status: string): number => data.tests.filter((t) => t.status === status).length;
  const setAside = data.quality.filter((q) => q.stage === 'silver' && q.step === 'set aside').reduce((n, q) => n + q.rows, 0);
  const landed = data.quality.find((q) => q.stage === 'landing' && q.step === 'kept')?.rows ?? 0;
  const reading = `${int(landed)} lines landed; silver's cleaning rules set ${int(setAside)} aside. The published build passed ${counts('pass')} data tests (${counts('warn')} warnings, ${counts('fail') + counts('error')} failures).`;
  const notPassed = data.tests.filter((t) => t.status !== 'pass');
  const fit = data.clvFit;
  const body = `<div class="grid">
${data.quality.length ? await chart('data-quality', s.dataQualitySpec(data.quality), data.quality.length, 'Rows per step, landing to gold') : '<p>gold.data_quality_counts is not published.</p>'}
<div>${table(['stage', 'model', 'step', 'rule', 'rows'], data.quality.map((q) => [q.stage, q.model, q.step, q.rule, int(q.rows)]), 'data-table="data-quality"')}</div>
</div>
<h3>Data tests of build ${data.build.buildId}</h3>
<p>${counts('pass')} passed, ${counts('warn')} warned, ${counts('fail')} failed, ${counts('error')} errored, ${counts('skipped')} skipped.</p>
${notPassed.length ? table(['test', 'status', 'severity', 'failing rows', 'message'], notPassed.map((t) => [t.testId, t.status, t.severity, int(t.failures), t.message]), 'data-table="tests"') : ''}
<h3>Lifetime-value model fit (holdout)</h3>
${fit ? `<p>${esc(fit.selection)}</p><div class="grid">${await chart('clv-fit', s.clvFitSpec(fit), fit.candidates.length * 2, `Purchases in the last ${fit.holdoutWeeks ?? '?'} weeks: predicted by each model fitted on the weeks before, against what customers did`)}
${table(['model', 'predicted', 'actual', 'MAE per customer', 'correlation'], fit.candidates.map((c) => [c.model, int(c.predicted), int(c.actual), c.mae.toFixed(3), c.correlation === null ? '–' : c.correlation.toFixed(3)]), 'data-table="clv-fit"')}</div>` : '<p>No lifetime-value fit is recorded for the published build.</p>'}`;
  return { id: 'quality', title: 'Data quality', reading, body };
}

async function travelSection(travel: NonNullable<ReportData['travel']>): Promise<Section> {
  const byPerk = new Map<string, number>();
  for (const r of travel.perksByArm) byPerk.set(r.perk, (byPerk.get(r.perk) ?? 0) + r.users);
  const perkRows = [...byPerk].map(([perk, users]) => ({ perk, users }));
  const armRows = new Map<string, number>();
  for (const r of travel.perksByArm) armRows.set(r.arm, (armRows.get(r.arm) ?? 0) + r.users);
  const arms = [...armRows].map(([arm, users]) => ({ arm, users }));
  const reading = `${int(perkRows.reduce((n, r) => n + r.users, 0))} travellers hold one of ${perkRows.length} perks, split into ${arms.length} experiment arms.`;
  const body = `<div class="grid">
${await chart('travel-perks', s.categoryBarsSpec(perkRows, 'perk', 'users', 'travellers'), perkRows.length, 'Travellers per perk')}
${await chart('travel-arms', s.categoryBarsSpec(arms, 'arm', 'users', 'travellers'), arms.length, 'Travellers per experiment arm')}
</div>
${table(['segment', 'perk', 'arm', 'travellers'], travel.perksByArm.map((r) => [r.segment, r.perk, r.arm, int(r.users)]), 'data-table="travel-perks"')}
${travel.experiment.length ? `<h3>Experiment results</h3>${rowsTable(travel.experiment, 'experiment')}` : ''}`;
  return { id: 'travel', title: 'Travel: perks and experiment arms', reading, body };
}

async function airlineSection(airline: NonNullable<ReportData['airline']>): Promise<Section> {
  const worst = [...airline.byTier].sort((a, b) => b.rate - a.rate)[0];
  const reading = worst ? `Members with the ${worst.category} card cancel most: ${pct(worst.rate)} of ${int(worst.members)}.` : 'No members are published.';
  const body = `<div class="grid">
${await chart('airline-tier', s.categoryBarsSpec(airline.byTier, 'category', 'rate', 'cancellation rate', '.1%'), airline.byTier.length, 'Cancellation rate by card tier')}
${await chart('airline-province', s.categoryBarsSpec(airline.byProvince, 'category', 'rate', 'cancellation rate', '.1%'), airline.byProvince.length, 'Cancellation rate by province')}
</div>`;
  return { id: 'airline', title: 'Airline: cancellation by card tier and province', reading, body };
}

async function driftSection(drift: NonNullable<ReportData['drift']>): Promise<Section> {
  const high = drift.psi.filter((p) => p.psi > 0.1);
  const reading = drift.psi.length
    ? `${high.length} of ${drift.psi.length} measures drifted beyond PSI 0.1 since the previous build.`
    : `${drift.rows.length} drift measures since the previous build.`;
  const body = `${drift.psi.length ? await chart('feature-drift', s.categoryBarsSpec(drift.psi, 'feature', 'psi', 'PSI', '.3f'), drift.psi.length, 'Population stability index per feature (over 0.1: drift)') : ''}
${rowsTable(drift.rows, 'feature-drift')}`;
  return { id: 'drift', title: 'Drift between builds', reading, body };
}

/** A table of rows as the database returned them (for tables whose columns other parts define). */
function rowsTable(rows: readonly Row[], name: string): string {
  const headers = Object.keys(rows[0] ?? {});
  return table(headers, rows.map((r) => headers.map((h) => cell(r[h]))), `data-table="${esc(name)}"`);
}

function cell(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isInteger(value) ? int(value) : value.toFixed(4);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}
