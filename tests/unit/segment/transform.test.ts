import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../scripts/core/errors.ts';
import { applyTransform, fitTransform, inverseTransform, sampleSkewness } from '../../../scripts/segment/transform.ts';

/** spend is long-tailed (a few big buyers), score is symmetric, delta is skewed but signed */
const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((score, i) => ({
  score,
  spend: [5, 8, 10, 12, 15, 20, 30, 60, 400, 2500][i]!,
  delta: [-3, -2, -2, -1, -1, -1, 0, 0, 1, 40][i]!,
}));

function column(values: readonly number[][], i: number): number[] {
  return values.map((v) => v[i]!);
}

describe('sampleSkewness', () => {
  it('is the adjusted Fisher–Pearson G1', () => {
    // mean 4, m2 = 12.5, m3 = 45: G1 = 45 / 12.5^1.5 · sqrt(4·3) / 2
    expect(sampleSkewness([1, 2, 3, 10])).toBeCloseTo(1.763632614803888, 12);
    expect(sampleSkewness([1, 2, 3, 4, 5])).toBe(0);
    expect(sampleSkewness([7, 7, 7])).toBe(0);
    expect(sampleSkewness([1, 100])).toBe(0);
  });
});

describe('fitTransform', () => {
  const t = fitTransform(rows, ['score', 'spend', 'delta']);

  it('log1p-transforms a skewed non-negative feature only', () => {
    expect(sampleSkewness(rows.map((r) => r.spend))).toBeGreaterThan(1);
    expect(sampleSkewness(rows.map((r) => r.delta))).toBeGreaterThan(1);
    expect(t.log1p).toEqual([false, true, false]);
  });

  it('records mean and population sd of the (logged) values', () => {
    expect(t.mean[0]).toBe(5.5);
    expect(t.sd[0]).toBeCloseTo(Math.sqrt(8.25), 12);
    const logs = rows.map((r) => Math.log1p(r.spend));
    expect(t.mean[1]).toBeCloseTo(logs.reduce((a, b) => a + b) / logs.length, 12);
  });

  it('standardises every feature to mean 0 and population sd 1', () => {
    const z = rows.map((r) => applyTransform(t, r));
    for (let i = 0; i < 3; i++) {
      const values = column(z, i);
      const mean = values.reduce((a, b) => a + b) / values.length;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
      expect(mean).toBeCloseTo(0, 12);
      expect(variance).toBeCloseTo(1, 12);
    }
  });

  it('fits without missing values and maps them to the mean (0)', () => {
    const withNull = [...rows, { score: null, spend: Number.NaN, delta: 0 } as unknown as Record<string, number>];
    const t2 = fitTransform(withNull, ['score', 'spend']);
    expect(t2.mean).toEqual(t.mean.slice(0, 2));
    expect(t2.sd).toEqual(t.sd.slice(0, 2));
    expect(applyTransform(t2, withNull[10]!)).toEqual([0, 0]);
    expect(applyTransform(t2, {})).toEqual([0, 0]);
  });

  it('clamps a negative value of a logged feature at 0, as the SQL does', () => {
    expect(applyTransform(t, { score: 5.5, spend: -10, delta: 0 })[1]).toBeCloseTo((0 - t.mean[1]!) / t.sd[1]!, 12);
  });

  it('gives a constant feature sd 1 so everyone scores 0 on it', () => {
    const c = fitTransform([{ x: 0.1 }, { x: 0.1 }, { x: 0.1 }], ['x']);
    expect(c.sd).toEqual([1]);
    expect(c.log1p).toEqual([false]);
    expect(applyTransform(c, { x: 0.1 })[0]).toBeCloseTo(0, 12);
  });

  it('inverts back to original units', () => {
    const back = inverseTransform(t, applyTransform(t, rows[8]!));
    expect(back.score).toBeCloseTo(9, 10);
    expect(back.spend).toBeCloseTo(400, 8);
    expect(back.delta).toBeCloseTo(1, 10);
  });

  it('refuses no rows, an absent feature and numeric strings with a message naming the feature', () => {
    expect(() => fitTransform([], ['score'])).toThrow(StrataError);
    expect(() => fitTransform(rows, ['score', 'nope'])).toThrow(/"nope" has no values/);
    const strings = [{ monetary: '12.50' }] as unknown as Record<string, number>[];
    expect(() => fitTransform(strings, ['monetary'])).toThrow(/"monetary" is a string .*cast it to double precision/);
  });
});
