import { StrataError } from '../core/errors.ts';

/**
 * How raw customer features become the standardised vectors k-means sees, recorded so that SQL
 * can apply exactly the same arithmetic to every customer (see `nearestCentreSql`):
 *
 *   v = log1p[i] ? ln(1 + max(x, 0)) : x;   z = (coalesce(v, mean[i]) - mean[i]) / sd[i]
 *
 * `mean` and `sd` are of `v` (after the log, when there is one).
 */
export interface FeatureTransform {
  readonly features: readonly string[];
  readonly log1p: readonly boolean[];
  readonly mean: readonly number[];
  /** population standard deviation of v; 1 for a constant feature (see `fitTransform`) */
  readonly sd: readonly number[];
}

/** Above this sample skewness a non-negative feature is log1p'd before standardising. */
export const SKEWNESS_THRESHOLD = 1;

/**
 * Fits the transform on (a sample of) customer feature rows.
 *
 * - A feature is log1p'd when all its observed values are >= 0 and its sample skewness
 *   (`sampleSkewness`, the adjusted Fisher–Pearson G1 that pandas' `skew()` reports) is > 1.
 *   Spend, order counts and product counts are long-tailed; without the log a handful of
 *   wholesale buyers would own whole clusters.
 * - Then z-scored with the population standard deviation (divide by n), as scikit-learn's
 *   StandardScaler does.
 * - Missing values (null, undefined, NaN) are left out of the fit; `applyTransform` maps them to
 *   the mean, i.e. to 0 after standardising, so a missing value pulls no cluster either way.
 * - A constant feature gets sd 1 instead of 0: every customer then scores 0 on it, which keeps
 *   the arithmetic finite in TypeScript and in SQL.
 *
 * Throws StrataError when there are no rows or a feature has no value in any row.
 */
export function fitTransform(
  rows: readonly Readonly<Record<string, number>>[],
  features: readonly string[],
): FeatureTransform {
  if (rows.length === 0) throw new StrataError('cannot fit the segment feature transform: no customer rows');
  const log1p: boolean[] = [];
  const mean: number[] = [];
  const sd: number[] = [];
  for (const feature of features) {
    const raw = rows.map((r) => readValue(r, feature)).filter((x) => x !== undefined);
    if (raw.length === 0) {
      throw new StrataError(`segment feature "${feature}" has no values in the ${rows.length} fitted rows (is it a column of customer_features?)`);
    }
    const useLog = raw.every((x) => x >= 0) && sampleSkewness(raw) > SKEWNESS_THRESHOLD;
    const values = useLog ? raw.map((x) => Math.log1p(x)) : raw;
    const m = average(values);
    const s = Math.sqrt(average(values.map((v) => (v - m) ** 2)));
    log1p.push(useLog);
    mean.push(m);
    sd.push(hasSpread(s, m) ? s : 1);
  }
  return { features: [...features], log1p, mean, sd };
}

/** The standardised vector of one row, in `t.features` order. */
export function applyTransform(t: FeatureTransform, row: Readonly<Record<string, number>>): number[] {
  return t.features.map((feature, i) => {
    const x = readValue(row, feature);
    if (x === undefined) return 0;
    const v = t.log1p[i] ? Math.log1p(Math.max(x, 0)) : x;
    return (v - t.mean[i]!) / t.sd[i]!;
  });
}

/**
 * A standardised vector (a centre) back in original units: the inverse of `applyTransform`.
 * For a log1p'd feature this is the back-transformed mean of the logs, a "typical member"
 * value closer to the median than the arithmetic mean; that is what the namer should compare.
 */
export function inverseTransform(t: FeatureTransform, z: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  t.features.forEach((feature, i) => {
    const v = z[i]! * t.sd[i]! + t.mean[i]!;
    out[feature] = t.log1p[i] ? Math.expm1(v) : v;
  });
  return out;
}

/**
 * Adjusted Fisher–Pearson sample skewness G1 = g1 · sqrt(n(n-1)) / (n-2), with
 * g1 = m3 / m2^1.5 (pandas `Series.skew()`, Excel `SKEW`). 0 for fewer than 3 values or no spread.
 */
export function sampleSkewness(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const m = average(values);
  let m2 = 0;
  let m3 = 0;
  for (const x of values) {
    const d = x - m;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  if (!hasSpread(Math.sqrt(m2), m)) return 0;
  return (m3 / m2 ** 1.5) * (Math.sqrt(n * (n - 1)) / (n - 2));
}

function average(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** A spread this small relative to the mean is rounding noise of a constant column. */
function hasSpread(sd: number, mean: number): boolean {
  return sd > 1e-12 * Math.max(Math.abs(mean), 1);
}

/**
 * Rows come from pg: a NULL arrives as null despite the declared number type, and a `numeric`
 * column arrives as a string, which would silently become "missing"; say so instead.
 */
function readValue(row: Readonly<Record<string, unknown>>, feature: string): number | undefined {
  const x = row[feature];
  if (x === null || x === undefined) return undefined;
  if (typeof x !== 'number') {
    throw new StrataError(`segment feature "${feature}" is a ${typeof x} (${JSON.stringify(x)}), not a number: cast it to double precision in the query that reads customer_features`);
  }
  return Number.isNaN(x) ? undefined : x;
}
