import { describe, expect, it } from 'vitest';
import { correlation, holdoutMetrics, rocAuc, type Observation, type Scored } from '../../../scripts/clv/metrics.ts';
import { seededRandom } from '../../../scripts/core/random.ts';

const obs = (predicted: number, actual: number, count?: number): Observation => ({ predicted, actual, ...(count ? { count } : {}) });

describe('holdout metrics on hand examples', () => {
  it('MAE, RMSE and totals', () => {
    const m = holdoutMetrics([obs(1, 1), obs(2, 0), obs(3, 5)]);
    expect(m.customers).toBe(3);
    expect(m.mae).toBeCloseTo(4 / 3, 15);
    expect(m.rmse).toBeCloseTo(Math.sqrt(8 / 3), 15);
    expect(m.predictedTotal).toBe(6);
    expect(m.actualTotal).toBe(6);
  });

  it('Pearson correlation: +1, -1, 0.8 by hand, NaN for a constant', () => {
    expect(correlation([obs(1, 2), obs(2, 4), obs(3, 6)])).toBeCloseTo(1, 15);
    expect(correlation([obs(1, 3), obs(2, 2), obs(3, 1)])).toBeCloseTo(-1, 15);
    // dx = dy = (-1.5, ±0.5, ∓0.5, 1.5): cov 4, variances 5 and 5
    expect(correlation([obs(1, 1), obs(2, 3), obs(3, 2), obs(4, 4)])).toBeCloseTo(0.8, 15);
    expect(correlation([obs(1, 2), obs(2, 2), obs(3, 2)])).toBeNaN();
  });

  it('ROC AUC: pairs won by positives, ties count one half', () => {
    const s = (score: number, positive: boolean, count?: number): Scored => ({ score, positive, ...(count ? { count } : {}) });
    // positives 0.9, 0.4; negatives 0.5, 0.1: 0.9 beats both, 0.4 beats 0.1 only → 3 of 4 pairs
    expect(rocAuc([s(0.9, true), s(0.4, true), s(0.5, false), s(0.1, false)])).toBe(0.75);
    expect(rocAuc([s(0.5, true), s(0.5, false)])).toBe(0.5);
    expect(rocAuc([s(0.2, true), s(0.7, false)])).toBe(0);
    // one positive tied with one of two negatives, above the other: (0.5 + 1) / 2
    expect(rocAuc([s(0.3, true), s(0.3, false), s(0.1, false)])).toBe(0.75);
    expect(rocAuc([s(0.3, true), s(0.4, true)])).toBeNaN();
  });

  it('uses P(alive) as the score when given, else the prediction, and positives are actual > 0', () => {
    const m = holdoutMetrics([
      { predicted: 0.1, score: 0.9, actual: 2 },
      { predicted: 5, score: 0.2, actual: 0 },
    ]);
    expect(m.auc).toBe(1);
    expect(holdoutMetrics([obs(0.1, 2), obs(5, 0)]).auc).toBe(0);
  });

  it('weights by count exactly as repeating the observation', () => {
    const random = seededRandom(3);
    const weighted: Observation[] = [];
    const expanded: Observation[] = [];
    for (let i = 0; i < 200; i++) {
      const o = { predicted: Math.round(random() * 20) / 10, actual: Math.floor(random() * 4), score: Math.round(random() * 10) / 10, count: 1 + Math.floor(random() * 3) };
      weighted.push(o);
      for (let k = 0; k < o.count; k++) expanded.push({ predicted: o.predicted, actual: o.actual, score: o.score });
    }
    const a = holdoutMetrics(weighted);
    const b = holdoutMetrics(expanded);
    expect(a.customers).toBe(b.customers);
    for (const key of ['mae', 'rmse', 'correlation', 'predictedTotal', 'actualTotal', 'auc'] as const) {
      expect(a[key], key).toBeCloseTo(b[key], 12);
    }
  });

  it('AUC equals the brute-force pair count on random scores with ties', () => {
    const random = seededRandom(9);
    const scored: Scored[] = Array.from({ length: 300 }, () => ({ score: Math.floor(random() * 15), positive: random() < 0.3 }));
    let wins = 0;
    let pairs = 0;
    for (const p of scored.filter((s) => s.positive)) {
      for (const n of scored.filter((s) => !s.positive)) {
        pairs++;
        wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
      }
    }
    expect(rocAuc(scored)).toBeCloseTo(wins / pairs, 14);
  });
});
