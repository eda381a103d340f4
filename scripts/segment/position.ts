import type { FeatureTransform } from './transform.ts';

/**
 * Where the population of one feature lies, for placing a segment's centre in it. Either the
 * transform's own statistics (mean and sd, of log1p(x) when `log1p`), which is what
 * `populationFromTransform` gives and what we recommend, or quartiles in original units.
 */
export type FeatureSpread =
  | { readonly mean: number; readonly sd: number; readonly log1p?: boolean }
  | { readonly p25: number; readonly p50: number; readonly p75: number };

export type Population = Readonly<Record<string, FeatureSpread>>;

/** The population each feature was standardised against, in the form the namer reads. */
export function populationFromTransform(t: FeatureTransform): Population {
  return Object.fromEntries(
    t.features.map((feature, i) => [feature, { mean: t.mean[i]!, sd: t.sd[i]!, log1p: t.log1p[i]! }]),
  );
}

/** IQR / 1.349 estimates the sd of a normal distribution from its quartiles. */
const IQR_PER_SD = 1.349;

/**
 * A value's position in the population as a z-like score: (v - mean) / sd, on the log scale
 * for a log1p'd feature; with quartiles, the robust (v - median) / (IQR / 1.349). When the
 * quartiles coincide (e.g. most customers ordered once) the IQR is 0 and the median's own
 * magnitude (at least 1) stands in for the spread; prefer `populationFromTransform` for such
 * heavily tied features.
 */
export function featurePosition(value: number, spread: FeatureSpread): number {
  if ('mean' in spread) {
    const v = spread.log1p ? Math.log1p(Math.max(value, 0)) : value;
    return spread.sd > 0 ? (v - spread.mean) / spread.sd : 0;
  }
  const iqr = spread.p75 - spread.p25;
  const scale = iqr > 0 ? iqr / IQR_PER_SD : Math.max(Math.abs(spread.p50), 1);
  return (value - spread.p50) / scale;
}
