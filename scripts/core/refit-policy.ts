/**
 * When a build refits a model's parameters (k-means centres, CLV purchase and spend models) and
 * when it keeps the published fit and only re-scores with it (docs/models.md, "Refitting"). A fit
 * is a summary of the whole population, so a 1% batch moves it by about 1%; refitting every build
 * costs a full pass (and, for k-means, can move segment boundaries for customers the batch never
 * touched). The rule, the same for every fitted model:
 *
 * - `--full-refresh` refits;
 * - var `refit_growth` (a share, default 0.1) set to 0 refits every build;
 * - otherwise a build keeps the published fit when the fit was made with the same settings, the
 *   population it was fitted on (customers, per source for CLV) changed by at most `refit_growth`
 *   of that population since, and so did the purchases that population made (orders, trips, or
 *   the purchases the CLV summary counts). Both are measured against the FIT's figures, grown or
 *   shrunk, so many small batches add up and trigger a refit, they never creep past it. The
 *   purchases are what a population that keeps buying without growing moves (an airline's
 *   members, a closed loyalty programme): counting customers only, it would never refit.
 */
import { UsageError } from './errors.ts';

/** The project var holding the share; see the module comment. */
export const REFIT_GROWTH_VAR = 'refit_growth';
/** Refit once the population changed by more than a tenth since the fit. */
export const DEFAULT_REFIT_GROWTH = 0.1;

/** The share from the vars (default DEFAULT_REFIT_GROWTH); anything but a number ≥ 0 is a usage error. */
export function refitGrowth(vars: Readonly<Record<string, unknown>>): number {
  const value = vars[REFIT_GROWTH_VAR];
  if (value === undefined || value === null) return DEFAULT_REFIT_GROWTH;
  const share = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) {
    throw new UsageError(`var ${REFIT_GROWTH_VAR} must be a number ≥ 0 (a share of the fitted population; 0 refits every build), got ${JSON.stringify(value)}`);
  }
  return share;
}

/** The published fit a build could keep. */
export interface PublishedFit {
  /** the build that made the fit */
  readonly build: number;
  /** the population the fit was made on */
  readonly population: number;
  /** the purchases that population had made when the fit was made */
  readonly purchases: number;
  /** whether the fit's settings equal this build's */
  readonly sameSettings: boolean;
}

/** What a build does with a model's fit, and why (for the build's log). */
export type RefitDecision =
  | { readonly refit: false; readonly fitBuild: number; readonly reason: string }
  | { readonly refit: true; readonly reason: string };

/**
 * Decides, purely, whether to refit. `population` and `purchases` are the figures now;
 * `published` the published fit, undefined when there is none (first build, a source that had no
 * fit, a table written before fits, or their purchases, were kept).
 *
 * @example
 * decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 5600,
 *               published: { build: 7, population: 1000, purchases: 5000, sameSettings: true } })
 * // { refit: true, reason: 'customers 1000 at the fit of build 7, 1000 now (0% change); purchases 5000 at the fit, 5600 now (12% change); refit_growth 10%' }
 */
export function decideRefit(input: {
  readonly fullRefresh: boolean;
  readonly share: number;
  readonly population: number;
  readonly purchases: number;
  readonly published: PublishedFit | undefined;
}): RefitDecision {
  const { published, share, population, purchases } = input;
  if (input.fullRefresh) return { refit: true, reason: '--full-refresh' };
  if (share === 0) return { refit: true, reason: `${REFIT_GROWTH_VAR} is 0` };
  if (published === undefined) return { refit: true, reason: 'no published fit to keep' };
  if (!published.sameSettings) return { refit: true, reason: `the settings changed since the fit of build ${published.build}` };
  if (!(published.population > 0)) return { refit: true, reason: `the fit of build ${published.build} has no population` };
  if (!(published.purchases > 0)) return { refit: true, reason: `the fit of build ${published.build} has no purchases` };
  const change = Math.abs(population - published.population) / published.population;
  const bought = Math.abs(purchases - published.purchases) / published.purchases;
  const what =
    `customers ${published.population} at the fit of build ${published.build}, ${population} now (${percent(change)} change); ` +
    `purchases ${published.purchases} at the fit, ${purchases} now (${percent(bought)} change); ${REFIT_GROWTH_VAR} ${percent(share)}`;
  return change > share || bought > share ? { refit: true, reason: what } : { refit: false, fitBuild: published.build, reason: what };
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
