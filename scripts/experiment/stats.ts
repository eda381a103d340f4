import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * The statistics of a two-arm experiment (treatment vs control), on per-arm summaries:
 * a two-proportion z-test for conversion, Welch's t-test for a mean (spend per user), 95%
 * confidence intervals of the difference, and the minimum detectable effect at 80% power.
 * Checked against scipy (tests/unit/experiment/stats.test.ts).
 */

/** z for a two-sided 95% interval, and for 80% power: Φ⁻¹(0.975), Φ⁻¹(0.8). */
export const Z_975 = 1.959963984540054;
export const Z_80 = 0.8416212335729143;

export interface Difference {
  /** treatment − control */
  readonly diff: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** two-sided */
  readonly pValue: number;
}

/**
 * Conversion: `x` of `n` users converted in each arm. The interval uses the unpooled standard
 * error (Wald); the p-value the pooled one, as the textbook two-proportion z-test does. Undefined
 * when an arm is empty; a p-value of 1 when nobody or everybody converted (no variation).
 *
 * @example twoProportionTest(130, 400, 100, 410).pValue // 0.0105
 */
export function twoProportionTest(xT: number, nT: number, xC: number, nC: number): Difference | undefined {
  if (nT === 0 || nC === 0) return undefined;
  const pT = xT / nT;
  const pC = xC / nC;
  const diff = pT - pC;
  const se = Math.sqrt((pT * (1 - pT)) / nT + (pC * (1 - pC)) / nC);
  const pooled = (xT + xC) / (nT + nC);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / nT + 1 / nC));
  const pValue = sePooled > 0 ? 2 * (1 - normalCdf(Math.abs(diff) / sePooled, 0, 1)) : 1;
  return { diff, ciLow: diff - Z_975 * se, ciHigh: diff + Z_975 * se, pValue };
}

/** Per-arm summary of a numeric outcome: users, mean and sample variance (n − 1). */
export interface ArmMean {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Welch's t-test of two means with unequal variances: the difference, its 95% interval from the
 * t distribution with Welch–Satterthwaite degrees of freedom, and the two-sided p-value.
 * Undefined when an arm has fewer than 2 users or both variances are 0.
 */
export function welchTest(t: ArmMean, c: ArmMean): (Difference & { readonly df: number }) | undefined {
  if (t.n < 2 || c.n < 2) return undefined;
  const a = t.variance / t.n;
  const b = c.variance / c.n;
  const se = Math.sqrt(a + b);
  if (!(se > 0)) return undefined;
  const df = (a + b) ** 2 / (a ** 2 / (t.n - 1) + b ** 2 / (c.n - 1));
  const diff = t.mean - c.mean;
  const q = tQuantile(0.975, df);
  const pValue = 2 * (1 - tCdf(Math.abs(diff / se), df));
  return { diff, ciLow: diff - q * se, ciHigh: diff + q * se, pValue, df };
}

/**
 * The smallest true difference in conversion a two-sided 5% test detects with 80% power, for
 * arms of nT and nC users and a baseline rate p: (z₀.₉₇₅ + z₀.₈) · √(p(1−p)(1/nT + 1/nC)).
 */
export function conversionMde(p: number, nT: number, nC: number): number | undefined {
  if (nT === 0 || nC === 0) return undefined;
  return (Z_975 + Z_80) * Math.sqrt(p * (1 - p) * (1 / nT + 1 / nC));
}

/** The same for a mean whose per-user standard deviation is `sd`: (z₀.₉₇₅ + z₀.₈) · sd · √(1/nT + 1/nC). */
export function meanMde(sd: number, nT: number, nC: number): number | undefined {
  if (nT === 0 || nC === 0) return undefined;
  return (Z_975 + Z_80) * sd * Math.sqrt(1 / nT + 1 / nC);
}
