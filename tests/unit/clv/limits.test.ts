import { describe, expect, it } from 'vitest';
import { bgnbdConditionalExpectedPurchases, bgnbdExpectedPurchases } from '../../../scripts/clv/bgnbd.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { mbgnbdConditionalExpectedPurchases } from '../../../scripts/clv/mbgnbd.ts';
import { minimize } from '../../../scripts/clv/optimize.ts';
import { cdnowSummary } from './cdnow.ts';

/** 2F1(a, b; c; z) by its series, in plain arithmetic (c may be negative, the value too). */
function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 5000 && Math.abs(term) > 1e-18 * Math.abs(sum); k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
  }
  return sum;
}

describe('fit limits', () => {
  it('stops after maxIterations steps over all restarts', () => {
    const slow = minimize(([u, v]) => (u! - 1) ** 2 + 100 * (v! - u! ** 2) ** 2, [-1.2, 1], { maxTotalIterations: 50 });
    expect(slow.iterations).toBe(50);
    expect(slow.converged).toBe(false);
    const fit = fitModel('bgnbd', cdnowSummary(), { maxIterations: 30, requireConvergence: false });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(30);
  });

  it('counts a fit past its time limit as not converged, and says so', () => {
    expect(() => fitModel('pareto', cdnowSummary(), { timeLimitMs: 0 })).toThrow(
      /pareto fit did not converge: no optimum found within the time limit of 0 ms/,
    );
    expect(fitModel('pareto', cdnowSummary(), { timeLimitMs: 0, requireConvergence: false }).converged).toBe(false);
  });
});

describe('BG/NBD and MBG/NBD expectations where the hypergeometric is negative', () => {
  // a + b < 1: for x = 0 the 2F1's c = a + b − 1 < 0 and the function is negative (log space fails)
  const p = { r: 0.5411195884134694, alpha: 5.8634964780829275, a: 0.02249639235474133, b: 0.7390321932877568 };

  it('computes E[Y(t)] for x = 0 from the plain value, equal to the series', () => {
    const { r, alpha, a, b } = p;
    const row = { x: 0, tx: 0, T: 1 / 7 };
    const t = 13;
    const z = t / (alpha + row.T + t);
    const expected = ((a + b - 1) / (a - 1)) * (1 - ((alpha + row.T) / (alpha + row.T + t)) ** r * series(r, b, a + b - 1, z));
    const value = bgnbdConditionalExpectedPurchases(p, row, t);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-12);
    const newCustomer = ((a + b - 1) / (a - 1)) * (1 - (alpha / (alpha + t)) ** r * series(r, b, a + b - 1, t / (alpha + t)));
    expect(Math.abs(bgnbdExpectedPurchases(p, t) - newCustomer) / newCustomer).toBeLessThan(1e-12);
  });

  it('MBG/NBD stays finite at the same parameters (its c = a + b + x is positive)', () => {
    const value = mbgnbdConditionalExpectedPurchases(p, { x: 0, tx: 0, T: 1 / 7 }, 13);
    expect(Number.isFinite(value) && value > 0).toBe(true);
  });
});
