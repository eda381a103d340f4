/**
 * Everything the report shows, read in one read-only transaction from published gold and
 * strata_meta's build records.
 */
import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { readGoldCatalog } from '../panels/catalog.ts';
import * as d from '../panels/data.ts';
import { loadAirline, loadDrift, loadTravel, type AirlineSection, type DriftSection, type TravelSection } from '../panels/domains.ts';
import { readOnly } from '../panels/run.ts';

export interface ReportData {
  readonly build: d.PublishedBuild;
  readonly kpis: d.Kpis;
  readonly previous?: { readonly buildId: number; readonly kpis: d.Kpis };
  readonly segments: readonly d.SegmentRow[];
  readonly profile: readonly d.ProfileCell[];
  readonly kSelection: readonly d.KCandidate[];
  readonly rfmGrid: readonly d.RfmCell[];
  readonly rfmSegments: readonly d.NamedCount[];
  readonly clvBins: readonly d.ClvBin[];
  readonly churnVsClv: readonly d.ChurnPoint[];
  readonly topRisk: readonly d.RiskRow[];
  readonly migrations: { readonly rfm: readonly d.Migration[]; readonly kmeans: readonly d.Migration[] };
  readonly monthly: readonly d.MonthRow[];
  readonly quality: readonly d.QualityRow[];
  readonly tests: readonly d.TestRow[];
  readonly clvFit?: d.ClvFitDiagnostics;
  readonly recommendations: readonly d.Recommendation[];
  readonly travel?: TravelSection;
  readonly airline?: AirlineSection;
  readonly drift?: DriftSection;
}

/** Statement timeout of the report's queries: generous, the report is a batch job. */
const REPORT_TIMEOUT_MS = 120_000;

/** Reads the report's data; fails with a clear message when nothing is published yet. */
export async function readReportData(pool: pg.Pool): Promise<ReportData> {
  return readOnly(pool, REPORT_TIMEOUT_MS, async (db) => {
    const build = await d.loadPublishedBuild(db);
    if (!build) throw new StrataError('nothing is published yet: run npm run build-models first');
    const catalog = await readGoldCatalog(db);
    const previous = await d.loadPreviousKpis(db, build.buildId);
    const clvFit = await d.loadClvFit(db);
    const travel = await loadTravel(db, catalog);
    const airline = await loadAirline(db, catalog);
    const drift = await loadDrift(db, catalog);
    return {
      build,
      kpis: await d.loadKpis(db),
      ...(previous ? { previous } : {}),
      segments: await d.loadSegments(db),
      profile: await d.loadSegmentProfile(db),
      kSelection: await d.loadKSelection(db),
      rfmGrid: await d.loadRfmGrid(db),
      rfmSegments: await d.loadRfmSegments(db),
      clvBins: await d.loadClvDistribution(db),
      churnVsClv: await d.loadChurnVsClv(db),
      topRisk: await d.loadTopRisk(db, {}, 25),
      migrations: { rfm: await d.loadMigrations(db, 'rfm'), kmeans: await d.loadMigrations(db, 'kmeans') },
      monthly: await d.loadMonthly(db),
      quality: catalog.has('data_quality_counts') ? await d.loadDataQuality(db) : [],
      tests: await d.loadTestResults(db, build.buildId),
      ...(clvFit ? { clvFit } : {}),
      recommendations: catalog.has('segment_recommendations') ? await d.loadRecommendations(db) : [],
      ...(travel ? { travel } : {}),
      ...(airline ? { airline } : {}),
      ...(drift ? { drift } : {}),
    };
  });
}
