import { rocAuc } from '../clv/metrics.ts';

export { rocAuc };

/** A scored row with its outcome. */
export interface Outcome {
  readonly score: number;
  readonly positive: boolean;
}

/**
 * PR AUC as average precision: the mean, over the positives, of the precision among the rows
 * scored at least as high as each (tied scores form one step). NaN without positives.
 */
export function prAuc(rows: readonly Outcome[]): number {
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  const positives = sorted.filter((r) => r.positive).length;
  if (positives === 0) return NaN;
  let seen = 0;
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < sorted.length; ) {
    const score = sorted[i]!.score;
    let tiedHits = 0;
    for (; i < sorted.length && sorted[i]!.score === score; i++) {
      seen++;
      if (sorted[i]!.positive) tiedHits++;
    }
    hits += tiedHits;
    sum += tiedHits * (hits / seen);
  }
  return sum / positives;
}

/** Positive rate among the top tenth of rows by score, divided by the overall positive rate. */
export function liftTopDecile(rows: readonly Outcome[]): number {
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  const top = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 10)));
  const rate = (list: readonly Outcome[]): number => list.filter((r) => r.positive).length / list.length;
  const base = rate(sorted);
  return base > 0 ? rate(top) / base : NaN;
}

export interface CalibrationBin {
  readonly bin: number;
  readonly rows: number;
  readonly predicted: number;
  readonly observed: number;
}

/**
 * Predicted against observed in ten bins of equal size by predicted probability (lowest first):
 * each bin's mean prediction and its observed positive rate.
 */
export function calibration(rows: readonly Outcome[], bins = 10): CalibrationBin[] {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = sorted.slice(Math.floor((b * sorted.length) / bins), Math.floor(((b + 1) * sorted.length) / bins));
    if (slice.length === 0) continue;
    out.push({
      bin: b + 1,
      rows: slice.length,
      predicted: slice.reduce((s, r) => s + r.score, 0) / slice.length,
      observed: slice.filter((r) => r.positive).length / slice.length,
    });
  }
  return out;
}
