import { describe, expect, it } from 'vitest';
import { conversionMde, meanMde, twoProportionTest, welchTest, Z_80, Z_975 } from '../../../scripts/experiment/stats.ts';

// Expected values computed independently with scipy 1.17.1:
//   stats.ttest_ind_from_stats(12.5, 3.0, 40, 11.2, 4.0, 55, equal_var=False)
//   2 * stats.norm.sf(z) for the pooled two-proportion z; stats.t.ppf(0.975, df)
describe('experiment statistics', () => {
  it('two-proportion z-test: p-value as scipy, Wald interval around the difference', () => {
    const r = twoProportionTest(130, 400, 100, 410)!;
    expect(r.diff).toBeCloseTo(130 / 400 - 100 / 410, 12);
    expect(r.pValue).toBeCloseTo(0.010493099978631504, 9);
    const se = Math.sqrt((0.325 * 0.675) / 400 + ((100 / 410) * (310 / 410)) / 410);
    expect(r.ciLow).toBeCloseTo(r.diff - 1.959963984540054 * se, 12);
    expect(r.ciHigh).toBeCloseTo(r.diff + 1.959963984540054 * se, 12);
  });

  it("Welch's t-test: t, df, p-value and the t quantile of the interval as scipy", () => {
    const r = welchTest({ n: 40, mean: 12.5, variance: 9 }, { n: 55, mean: 11.2, variance: 16 })!;
    expect(r.df).toBeCloseTo(92.89273002747746, 9);
    expect(r.pValue).toBeCloseTo(0.07354359530676749, 9);
    const se = Math.sqrt(9 / 40 + 16 / 55);
    expect((r.ciHigh - r.diff) / se).toBeCloseTo(1.9858320358689039, 9);
  });

  it('no answer without users or variation', () => {
    expect(twoProportionTest(0, 0, 1, 10)).toBeUndefined();
    expect(twoProportionTest(0, 10, 0, 10)!.pValue).toBe(1);
    expect(welchTest({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 1 })).toBeUndefined();
  });

  it('minimum detectable effects at 80% power', () => {
    expect(Z_975).toBeCloseTo(1.959963984540054, 15);
    expect(Z_80).toBeCloseTo(0.8416212335729143, 15);
    // 1,000 per arm at a 20% baseline: 2.8016 · √(0.16 · 0.002) = 0.0501
    expect(conversionMde(0.2, 1000, 1000)).toBeCloseTo(2.801585218 * Math.sqrt(0.16 * 0.002), 8);
    expect(meanMde(100, 500, 500)).toBeCloseTo(2.801585218 * 100 * Math.sqrt(0.004), 6);
  });
});
