import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodSum,
  bgnbdPAlive,
} from '../../../scripts/clv/bgnbd.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { aggregateSummary } from '../../../scripts/clv/summary.ts';
import type { BgParams } from '../../../scripts/clv/types.ts';
import { cdnowSummary, rounded } from './cdnow.ts';

const customers = cdnowSummary();
const fit = fitModel('bgnbd', customers);
const params = fit.params as unknown as BgParams;

describe('BG/NBD on CDNOW (weeks)', () => {
  it('reproduces Fader, Hardie & Lee (2005) to the printed precision', () => {
    // Marketing Science 24(2), section 4: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(2357);
    expect(fit.distinctRows).toBe(1016);
    expect(rounded(params.r, 3)).toBe(0.243);
    expect(rounded(params.alpha, 3)).toBe(4.414);
    expect(rounded(params.a, 3)).toBe(0.793);
    expect(rounded(params.b, 3)).toBe(2.426);
    expect(rounded(fit.logLikelihood, 1)).toBe(-9582.4);
  });

  it('gives every parameter a positive standard error', () => {
    for (const name of ['r', 'alpha', 'a', 'b']) {
      expect(fit.standardErrors[name]).toBeGreaterThan(0);
      expect(fit.standardErrors[name]).toBeLessThan(fit.params[name]!);
    }
  });

  it("predicts customer 1's next 39 weeks as Hardie's spreadsheet does", () => {
    // 1.226 for x = 2, t_x = 30.43, T = 38.86, t = 39: lifetimes tests/test_estimation.py,
    // test_conditional_expectation_returns_same_value_as_Hardie_excel_sheet (tolerance 0.001)
    const value = bgnbdConditionalExpectedPurchases(params, { x: 2, tx: 30.43, T: 38.86 }, 39);
    expect(Math.abs(value - 1.226)).toBeLessThan(0.001);
  });

  it("gives the expected purchases of a new customer as Hardie's spreadsheet does", () => {
    // lifetimes tests/test_estimation.py, test_expectation_returns_same_value_Hardie_excel_sheet
    // (numpy decimal=3: |difference| < 1.5e-3)
    const times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(Math.abs(bgnbdExpectedPurchases(params, t) - expected[i]!)).toBeLessThan(1.5e-3);
    });
  });

  it('says a customer with no repeat purchase is alive for certain', () => {
    expect(bgnbdPAlive(params, { x: 0, tx: 0, T: 38.86 })).toBe(1);
  });

  it('keeps P(alive) in [0, 1] and finite for very frequent buyers', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        for (let T = Math.max(tx, 1); T < 100; T += 10) {
          const p = bgnbdPAlive(params, { x, tx: x === 0 ? 0 : tx, T });
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
    }
    // lifetimes test_no_runtime_warnings_high_frequency: x = 1000, t_x = 10, T = 100 gives 0
    expect(bgnbdPAlive(params, { x: 1000, tx: 10, T: 100 })).toBe(0);
    for (const x of [200, 2000, 20000]) {
      const value = bgnbdConditionalExpectedPurchases(params, { x, tx: 38, T: 38.86 }, 39);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
  });

  it('sums per-customer log-likelihoods exactly when fitted on distinct rows with counts', () => {
    const perCustomer = customers.reduce((sum, row) => sum + bgnbdLogLikelihood(params, row), 0);
    const distinct = aggregateSummary(customers, 'purchase');
    expect(bgnbdLogLikelihoodSum(params, distinct)).toBeCloseTo(perCustomer, 8);
    expect(bgnbdLogLikelihoodSum(params, distinct)).toBeCloseTo(fit.logLikelihood, 8);
  });
});
