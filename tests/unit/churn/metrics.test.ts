import { describe, expect, it } from 'vitest';
import { calibration, liftTopDecile, prAuc } from '../../../scripts/churn/metrics.ts';

const rows = (pairs: readonly [number, boolean][]) => pairs.map(([score, positive]) => ({ score, positive }));

describe('churn metrics', () => {
  it('PR AUC is average precision (worked example)', () => {
    // ranked: +, -, +, -  → precisions at the positives 1/1 and 2/3 → (1 + 2/3) / 2
    expect(prAuc(rows([[0.9, true], [0.8, false], [0.7, true], [0.1, false]]))).toBeCloseTo(5 / 6, 12);
    expect(prAuc(rows([[0.9, true], [0.8, true], [0.1, false]]))).toBe(1);
    expect(prAuc(rows([[0.5, false]]))).toBeNaN();
  });

  it('tied scores form one step', () => {
    expect(prAuc(rows([[0.5, true], [0.5, false]]))).toBeCloseTo(0.5, 12);
  });

  it('lift of the top decile against the base rate', () => {
    const data = Array.from({ length: 100 }, (_, i) => ({ score: 100 - i, positive: i < 5 || i === 50 }));
    // top 10 rows hold 5 of 6 positives: 0.5 / 0.06
    expect(liftTopDecile(data)).toBeCloseTo(0.5 / 0.06, 12);
  });

  it('calibration: ten equal bins, mean predicted against observed', () => {
    const data = Array.from({ length: 20 }, (_, i) => ({ score: i / 20, positive: i >= 10 }));
    const bins = calibration(data);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ bin: 1, rows: 2, predicted: 0.025, observed: 0 });
    expect(bins[9]).toEqual({ bin: 10, rows: 2, predicted: 0.925, observed: 1 });
  });
});
