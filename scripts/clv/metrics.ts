/**
 * How well predictions of holdout purchases match what customers then did. Every function
 * takes weighted observations: customers with the same calibration summary and the same holdout
 * count share one prediction, so a million customers are a few thousand observations.
 */

/** `count` customers who were predicted `predicted`, scored `score`, and made `actual`. */
export interface Observation {
  readonly predicted: number;
  readonly actual: number;
  /** what ranks customers by how likely they are to buy again (P(alive)); default `predicted` */
  readonly score?: number;
  /** default 1 */
  readonly count?: number;
}

export interface HoldoutMetrics {
  readonly customers: number;
  /** mean |predicted − actual| per customer */
  readonly mae: number;
  /** √ mean (predicted − actual)² per customer */
  readonly rmse: number;
  /** Pearson correlation of predicted and actual over customers; NaN when either is constant */
  readonly correlation: number;
  readonly predictedTotal: number;
  readonly actualTotal: number;
  /** ROC AUC of `score` separating customers with actual > 0 from those with actual = 0 */
  readonly auc: number;
}

/** All the metrics at once. */
export function holdoutMetrics(observations: readonly Observation[]): HoldoutMetrics {
  let n = 0;
  let absolute = 0;
  let squared = 0;
  let predictedTotal = 0;
  let actualTotal = 0;
  for (const { predicted, actual, count = 1 } of observations) {
    n += count;
    absolute += count * Math.abs(predicted - actual);
    squared += count * (predicted - actual) ** 2;
    predictedTotal += count * predicted;
    actualTotal += count * actual;
  }
  return {
    customers: n,
    mae: absolute / n,
    rmse: Math.sqrt(squared / n),
    correlation: correlation(observations),
    predictedTotal,
    actualTotal,
    auc: rocAuc(observations.map((o) => ({ score: o.score ?? o.predicted, positive: o.actual > 0, count: o.count ?? 1 }))),
  };
}

/**
 * Pearson correlation of predicted and actual, each observation weighted by its count. Two
 * passes (means first) rather than the one-pass sums, which cancel badly for large counts.
 */
export function correlation(observations: readonly Observation[]): number {
  let n = 0;
  let sp = 0;
  let sa = 0;
  for (const { predicted, actual, count = 1 } of observations) {
    n += count;
    sp += count * predicted;
    sa += count * actual;
  }
  const [mp, ma] = [sp / n, sa / n];
  let cov = 0;
  let vp = 0;
  let va = 0;
  for (const { predicted, actual, count = 1 } of observations) {
    cov += count * (predicted - mp) * (actual - ma);
    vp += count * (predicted - mp) ** 2;
    va += count * (actual - ma) ** 2;
  }
  return vp > 0 && va > 0 ? cov / Math.sqrt(vp * va) : NaN;
}

export interface Scored {
  readonly score: number;
  readonly positive: boolean;
  readonly count?: number;
}

/**
 * ROC AUC: the probability that a random positive scores higher than a random negative, ties
 * counting one half (the Mann–Whitney statistic). Sorting by score and counting, per distinct
 * score, the negatives below it makes this O(n log n) in observations, whatever the counts.
 * NaN when there are no positives or no negatives.
 *
 * @example rocAuc([{ score: 0.9, positive: true }, { score: 0.2, positive: false }]) // 1
 */
export function rocAuc(scored: readonly Scored[]): number {
  const sorted = [...scored].sort((u, v) => u.score - v.score);
  let negativesBelow = 0;
  let positives = 0;
  let wins = 0;
  for (let i = 0; i < sorted.length; ) {
    let tiedPositives = 0;
    let tiedNegatives = 0;
    const score = sorted[i]!.score;
    for (; i < sorted.length && sorted[i]!.score === score; i++) {
      const { positive, count = 1 } = sorted[i]!;
      if (positive) tiedPositives += count;
      else tiedNegatives += count;
    }
    wins += tiedPositives * (negativesBelow + tiedNegatives / 2);
    negativesBelow += tiedNegatives;
    positives += tiedPositives;
  }
  return positives > 0 && negativesBelow > 0 ? wins / (positives * negativesBelow) : NaN;
}
