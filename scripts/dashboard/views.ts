/**
 * What the dashboard's panels show for one filter: KPI tiles, the segment and RFM charts as SVG
 * (the report's specs and renderer) with how many marks each holds, and the top-risk list. Feature
 * drift since the previous build (gold.feature_drift, when published) is a property of the build,
 * not of a customer filter: its chart is the same whatever the filter.
 */
import { renderSvg } from '../charts/render.ts';
import * as s from '../charts/specs.ts';
import type { CustomerFilter } from '../panels/filter.ts';
import { readGoldCatalog } from '../panels/catalog.ts';
import * as d from '../panels/data.ts';
import { loadDrift } from '../panels/domains.ts';
import type { Queryable } from '../panels/run.ts';

export interface ChartView {
  readonly svg: string;
  /** data marks the chart holds: one per row it received */
  readonly marks: number;
  readonly title: string;
}

export interface DashboardView {
  readonly kpis: d.Kpis;
  readonly charts: Readonly<Record<string, ChartView>>;
  readonly topRisk: readonly d.RiskRow[];
}

/** Every panel for `filter`, in one read-only transaction (the caller's). */
export async function dashboardView(db: Queryable, filter: CustomerFilter): Promise<DashboardView> {
  const segments = await d.loadSegments(db, filter);
  const grid = await d.loadRfmGrid(db, filter);
  const rfm = await d.loadRfmSegments(db, filter);
  const bins = await d.loadClvDistribution(db, filter);
  const points = await d.loadChurnVsClv(db, filter, 800);
  const drift = await loadDrift(db, await readGoldCatalog(db));
  const chart = async (spec: Parameters<typeof renderSvg>[0], marks: number, title: string): Promise<ChartView> => ({
    svg: await renderSvg(spec),
    marks,
    title,
  });
  return {
    kpis: await d.loadKpis(db, filter),
    charts: {
      'segment-size': await chart(s.segmentSizeSpec(segments), segments.length, 'Customers per segment'),
      'segment-revenue-share': await chart(s.segmentRevenueShareSpec(segments), segments.length, 'Share of revenue per segment'),
      'rfm-grid-customers': await chart(s.rfmGridSpec(grid, 'customers'), grid.length, 'Customers by recency × frequency score'),
      'rfm-segments': await chart(s.rfmSegmentsSpec(rfm), rfm.length, 'Customers per RFM segment'),
      'clv-distribution': await chart(s.clvDistributionSpec(bins), bins.length, 'Customers by 12-month CLV'),
      'churn-vs-clv': await chart(s.churnVsClvSpec(points), points.length, 'Churn probability against CLV (most value at risk, at most 800)'),
      ...(drift && drift.psi.length > 0
        ? { 'feature-drift': await chart(s.categoryBarsSpec(drift.psi, 'feature', 'psi', 'PSI', '.3f'), drift.psi.length, 'Feature drift since the previous build: PSI per feature (over 0.1: drift)') }
        : {}),
    },
    topRisk: await d.loadTopRisk(db, filter, 20),
  };
}
