import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bgbbConditionalExpectedPurchases,
  bgbbExpectedIfAlive,
  bgbbExpectedPurchases,
  bgbbLogLikelihood,
  bgbbPAlive,
} from '../../../scripts/clv/bgbb.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { predictClv, predictPAlive, predictPurchases } from '../../../scripts/clv/predict.ts';
import { predictCombinations } from '../../../scripts/clv/combinations.ts';
import { simulateBgbb } from '../../../scripts/clv/simulate.ts';
import { betaln, gammaln } from '../../../scripts/clv/special.ts';
import type { BgbbBetaParams as BgbbParams, BgbbHomogeneousParams, SummaryRow } from '../../../scripts/clv/types.ts';
import { StrataError } from '../../../scripts/core/errors.ts';

/** The paper's donation data (tests/fixtures/donations/README.md: source and published figures). */
const donations: SummaryRow[] = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'donations', 'donations.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number))
  .map(([x, tx, n, count]) => ({ x: x!, tx: tx!, T: n!, count: count! }));

/** FHS 2010's estimates, to the digits lifetimes' reference test uses (1.2035, 0.7497, 0.6567, 2.7834). */
const PAPER: BgbbParams = { alpha: 1.2035, beta: 0.7497, gamma: 0.6567, delta: 2.7834 };

// ---------------------------------------------------------------------------------------------
// An independent computation: the closed forms as the lifetimes package writes them
// (lifetimes/fitters/beta_geo_beta_binom_fitter.py: _loglikelihood, conditional_probability_alive,
// conditional_expected_number_of_purchases_up_to_time, expected_number_of_transactions_in_first_n_periods),
// each beta function evaluated on its own with ln B, none of the recurrences bgbb.ts uses.
// ---------------------------------------------------------------------------------------------
function referenceLogLikelihood({ alpha, beta, gamma, delta }: BgbbParams, x: number, tx: number, n: number): number {
  const a = betaln(alpha + x, beta + n - x) - betaln(alpha, beta) + betaln(gamma, delta + n) - betaln(gamma, delta);
  let sum = 0;
  for (let j = 0; j <= n - tx - 1; j++) {
    sum += Math.exp(betaln(alpha + x, beta + tx - x + j) + betaln(gamma + 1, delta + tx + j));
  }
  if (sum === 0) return a;
  const b = Math.log(sum) - betaln(gamma, delta) - betaln(alpha, beta);
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** P(alive at opportunity n + m); the paper's P(alive) is m = 1. */
function referencePAlive(params: BgbbParams, m: number, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = params;
  const p1 = betaln(alpha + x, beta + n - x) - betaln(alpha, beta);
  const p2 = betaln(gamma, delta + n + m) - betaln(gamma, delta);
  return Math.exp(p1 + p2 - referenceLogLikelihood(params, x, tx, n));
}

/** FHS 2010 eq. 13, with its δ/(γ − 1) (undefined at γ = 1). */
function referenceExpected(params: BgbbParams, m: number, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = params;
  const p1 = 1 / Math.exp(referenceLogLikelihood(params, x, tx, n));
  const p2 = Math.exp(betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta));
  const p3 = (delta / (gamma - 1)) * Math.exp(gammaln(gamma + delta) - gammaln(1 + delta));
  const p4 = Math.exp(gammaln(1 + delta + n) - gammaln(gamma + delta + n));
  const p5 = Math.exp(gammaln(1 + delta + n + m) - gammaln(gamma + delta + n + m));
  return p1 * p2 * p3 * (p4 - p5);
}

/** P(X(n) = x) for a new customer (FHS 2010 eq. 7). */
function referenceProbabilityOfX({ alpha, beta, gamma, delta }: BgbbParams, x: number, n: number): number {
  const logChoose = (k: number, j: number): number => gammaln(k + 1) - gammaln(j + 1) - gammaln(k - j + 1);
  let p = Math.exp(
    logChoose(n, x) + betaln(alpha + x, beta + n - x) - betaln(alpha, beta) + betaln(gamma, delta + n) - betaln(gamma, delta),
  );
  for (let i = x; i <= n - 1; i++) {
    p += Math.exp(
      logChoose(i, x) + betaln(alpha + x, beta + i - x) - betaln(alpha, beta) + betaln(gamma + 1, delta + i) - betaln(gamma, delta),
    );
  }
  return p;
}

const relative = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

describe('BG/BB on the paper\'s donation data (FHS 2010)', () => {
  const fit = fitModel('bgbb', donations);

  it('reproduces the published maximum-likelihood estimates and log-likelihood', () => {
    expect(fit.customers).toBe(11_104);
    expect(fit.distinctRows).toBe(22);
    expect(fit.converged).toBe(true);
    expect(fit.params['alpha']!.toFixed(3)).toBe('1.204');
    expect(fit.params['beta']!.toFixed(3)).toBe('0.750');
    expect(fit.params['gamma']!.toFixed(3)).toBe('0.657');
    expect(fit.params['delta']!.toFixed(3)).toBe('2.783');
    expect(fit.logLikelihood.toFixed(1)).toBe('-33225.6');
    for (const se of Object.values(fit.standardErrors)) expect(se).toBeGreaterThan(0);
  });

  it('gives the P(alive in 2002) of the paper\'s Table 6', () => {
    const p = fit.params as unknown as BgbbParams;
    const at = (x: number, tx: number): number => bgbbPAlive(p, { x, tx, T: 6 });
    expect([at(0, 0), at(2, 4), at(6, 6)].map((v) => v.toFixed(2))).toEqual(['0.11', '0.59', '0.93']);
  });

  it("gives the total expected repeat donations 2002-2006 of Hardie's spreadsheet (12,884.2)", () => {
    const p = fit.params as unknown as BgbbParams;
    const total = donations.reduce((sum, row) => sum + row.count! * bgbbConditionalExpectedPurchases(p, row, 5), 0);
    expect(total.toFixed(1)).toBe('12884.2');
  });

  it('has the in-sample fit of the spreadsheet (3,454.9 donors with x = 0, 1,253.1 with x = 6)', () => {
    const p = fit.params as unknown as BgbbParams;
    expect((11_104 * referenceProbabilityOfX(p, 0, 6)).toFixed(1)).toBe('3454.9');
    expect((11_104 * referenceProbabilityOfX(p, 6, 6)).toFixed(1)).toBe('1253.1');
    // and the marginal P(X(n) = x) sums to the mean bgbbExpectedPurchases gives
    let mean = 0;
    for (let x = 0; x <= 6; x++) mean += x * referenceProbabilityOfX(p, x, 6);
    expect(relative(bgbbExpectedPurchases(p, 6), mean)).toBeLessThan(1e-12);
  });
});

describe('BG/BB formulas against the closed forms computed independently', () => {
  // the donation estimates, the airline hand fit (γ far below 1) and γ above 1
  const cases: BgbbParams[] = [PAPER, { alpha: 219.0, beta: 144.2, gamma: 0.117, delta: 21.5 }, { alpha: 0.6, beta: 3.1, gamma: 2.4, delta: 9 }];
  const rows: [number, number, number][] = [];
  for (const n of [0, 1, 2, 6, 23, 60]) {
    for (let tx = 0; tx <= n; tx++) for (const x of tx === 0 ? [0] : [1, Math.ceil(tx / 2), tx]) rows.push([x, tx, n]);
  }

  it('log-likelihood, P(alive) and the expectations agree to 1e-11', () => {
    for (const params of cases) {
      for (const [x, tx, n] of rows) {
        const row = { x, tx, T: n };
        expect(Math.abs(bgbbLogLikelihood(params, row) - referenceLogLikelihood(params, x, tx, n))).toBeLessThan(1e-9);
        expect(relative(bgbbPAlive(params, row), referencePAlive(params, 1, x, tx, n)), `${x},${tx},${n}`).toBeLessThan(1e-11);
        for (const m of [1, 3, 12]) {
          expect(relative(bgbbConditionalExpectedPurchases(params, row, m), referenceExpected(params, m, x, tx, n))).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('the expectation if alive does not depend on t_x: E = P(alive) · E[· | alive]', () => {
    const params = cases[1]!;
    for (const tx of [3, 10, 23]) {
      const row = { x: 3, tx, T: 23 };
      expect(bgbbConditionalExpectedPurchases(params, row, 12)).toBe(bgbbPAlive(params, row) * bgbbExpectedIfAlive(params, 3, 23, 12));
    }
  });

  it('a customer who transacted at the last opportunity has P(alive) = (δ + n)/(γ + δ + n); silence lowers it', () => {
    const params = cases[0]!;
    expect(bgbbPAlive(params, { x: 6, tx: 6, T: 6 })).toBeCloseTo((params.delta + 6) / (params.gamma + params.delta + 6), 14);
    const p = [6, 5, 4, 3, 2, 1].map((tx) => bgbbPAlive(params, { x: 1, tx, T: 6 }));
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeLessThan(p[i - 1]!);
  });

  it('horizons are whole opportunities', () => {
    expect(() => bgbbConditionalExpectedPurchases(PAPER, { x: 1, tx: 1, T: 2 }, 2.5)).toThrow(StrataError);
  });

  it('the pipeline\'s per-combination predictions and CLV equal the direct ones (months: one opportunity each)', () => {
    const model = { model: 'bgbb' as const, params: cases[1]! };
    const combos = [{ x: 0, tx: 0, T: 0 }, { x: 0, tx: 0, T: 7 }, { x: 5, tx: 9, T: 20 }, { x: 20, tx: 23, T: 23 }];
    const predictions = predictCombinations(model, combos, { timeUnit: 'months', horizonMonths: 12, monthlyDiscountRate: 0.01, shortHorizon: 3 });
    for (const [i, row] of combos.entries()) {
      const p = predictions[i]!;
      expect(relative(p.pAlive, predictPAlive(model, row))).toBeLessThan(1e-14);
      expect(relative(p.expectedShort, predictPurchases(model, row, 3))).toBeLessThan(1e-12);
      const clv = predictClv(model, { p: 6, q: 4, v: 15 }, { ...row, monetary: 10 }, { timeUnit: 'months' });
      const spend = (6 * (15 + row.x * 10)) / (6 * row.x + 4 - 1);
      expect(relative(p.discountedPurchases * spend, clv)).toBeLessThan(1e-12);
    }
  });
});

describe('BG/BB with one drop-out probability for everyone (the boundary γ + δ → ∞)', () => {
  const cases: BgbbHomogeneousParams[] = [
    { alpha: 5.42, beta: 8.6, theta: 0.18 },
    { alpha: 0.6, beta: 3.1, theta: 0.02 },
    { alpha: 2, beta: 3, theta: 0 },
  ];
  const rows: [number, number, number][] = [];
  for (const n of [0, 1, 2, 6, 23, 60]) {
    for (let tx = 0; tx <= n; tx++) for (const x of tx === 0 ? [0] : [1, Math.ceil(tx / 2), tx]) rows.push([x, tx, n]);
  }

  it('log-likelihood, P(alive) and the expectations equal the point-mass forms written out', () => {
    for (const params of cases) {
      for (const [x, tx, n] of rows) {
        const row = { x, tx, T: n };
        const likelihood = pointMassLikelihood(params, x, tx, n);
        expect(Math.abs(bgbbLogLikelihood(params, row) - Math.log(likelihood))).toBeLessThan(1e-9);
        const aliveNext = Math.exp(betaln(params.alpha + x, params.beta + n - x) - betaln(params.alpha, params.beta)) * (1 - params.theta) ** (n + 1);
        expect(relative(bgbbPAlive(params, row), aliveNext / likelihood), `${x},${tx},${n}`).toBeLessThan(1e-11);
        for (const m of [1, 3, 12]) {
          let ifAlive = 0;
          for (let i = 1; i <= m; i++) ifAlive += (1 - params.theta) ** (i - 1);
          ifAlive *= (params.alpha + x) / (params.alpha + params.beta + n);
          expect(relative(bgbbConditionalExpectedPurchases(params, row, m), (aliveNext / likelihood) * ifAlive)).toBeLessThan(1e-11);
        }
      }
    }
  });

  it('is the limit of the Beta drop-out: γ = θK, δ = (1 − θ)K as K grows', () => {
    const params = cases[0]!;
    const beta = (k: number): BgbbParams => ({ alpha: params.alpha, beta: params.beta, gamma: params.theta * k, delta: (1 - params.theta) * k });
    for (const [x, tx, n] of rows.filter(([, , n]) => n === 23)) {
      const row = { x, tx, T: n };
      const far = relative(bgbbPAlive(beta(1e3), row), bgbbPAlive(params, row));
      const farther = relative(bgbbPAlive(beta(1e7), row), bgbbPAlive(params, row));
      expect(farther).toBeLessThan(1e-5);
      if (far > 1e-9) expect(farther).toBeLessThan(far / 100);
      expect(relative(bgbbExpectedPurchases(beta(1e7), 12), bgbbExpectedPurchases(params, 12))).toBeLessThan(1e-5);
    }
  });

  it('nobody drops out at θ = 0: P(alive) is 1 and a month brings (α + x)/(α + β + n) transactions', () => {
    const params = cases[2]!;
    expect(bgbbPAlive(params, { x: 1, tx: 2, T: 40 })).toBe(1);
    expect(bgbbConditionalExpectedPurchases(params, { x: 1, tx: 2, T: 40 }, 12)).toBeCloseTo((12 * 3) / 45, 14);
  });
});

describe('BG/BB fit on data simulated from known parameters', () => {
  it('recovers them within four standard errors', () => {
    const truth: BgbbParams = { alpha: 2.5, beta: 1.5, gamma: 0.4, delta: 6 };
    const rows = simulateBgbb(truth, { customers: 30_000, seed: 7, minN: 6, maxN: 23 });
    const fit = fitModel('bgbb', rows);
    expect(fit.converged).toBe(true);
    expect(fit.distinctRows).toBeLessThan(3_000);
    for (const [name, value] of Object.entries(truth)) {
      expect(Math.abs(fit.params[name]! - value), name).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it('fits the nested model with one drop-out probability when the Beta collapses to a point (everyone the same θ)', () => {
    // the expected pattern frequencies of 300,000 customers whose drop-out probability is 0.2 for
    // everyone (n = 6, 12, 18): the likelihood rises towards gamma, delta -> infinity at mean 0.2
    const rows = homogeneousPatterns({ alpha: 2, beta: 3, theta: 0.2 }, 100_000);
    expect(rows.reduce((sum, row) => sum + row.count!, 0)).toBeCloseTo(300_000, 6);
    const fit = fitModel('bgbb', rows, { maxIterations: 4_000 });
    expect(fit.converged).toBe(true);
    expect(fit.boundary).toBe('every customer has the same drop-out probability theta (gamma + delta → ∞)');
    expect(fit.warnings[0]).toMatch(/^gamma and delta run off together towards infinity \(gamma \+ delta = \S+, mean drop-out probability 0\.200\): .*; fitted the model nested there/);
    // expected frequencies, so the maximum-likelihood estimates are the truth itself
    expect(fit.params['alpha']).toBeCloseTo(2, 4);
    expect(fit.params['beta']).toBeCloseTo(3, 4);
    expect(fit.params['theta']).toBeCloseTo(0.2, 6);
    expect(fit.params['gamma']).toBeUndefined();
    expect(fit.standardErrors['theta']).toBeGreaterThan(0);
    // an interior optimum is not taken for a boundary: the paper's fit
    expect(fitModel('bgbb', donations).boundary).toBeUndefined();
  });

  it('fits the model where nobody drops out when θ itself runs off towards 0', () => {
    const rows = homogeneousPatterns({ alpha: 2, beta: 3, theta: 0 }, 100_000);
    const fit = fitModel('bgbb', rows, { maxIterations: 4_000 });
    expect(fit.converged).toBe(true);
    expect(fit.boundary).toBe('nobody drops out (theta = 0)');
    expect(fit.params).toEqual({ alpha: expect.closeTo(2, 4), beta: expect.closeTo(3, 4), theta: 0 });
    expect(fit.warnings).toHaveLength(2);
    expect(fit.warnings[1]).toMatch(/^theta ran off towards 0 \(\S+; dividing it by 10 does not lower the log-likelihood, .*\): the likelihood is highest at theta = 0; fitted the model nested there, where nobody drops out/);
  });

  it('recovers one drop-out probability from simulated customers', () => {
    const truth = { alpha: 1.5, beta: 2.5, theta: 0.08 };
    const fit = fitModel('bgbb', simulateBgbb(truth, { customers: 30_000, seed: 11, minN: 6, maxN: 23 }), { maxIterations: 4_000 });
    expect(fit.boundary).toBe('every customer has the same drop-out probability theta (gamma + delta → ∞)');
    for (const [name, value] of Object.entries(truth)) {
      expect(Math.abs(fit.params[name]! - value), name).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it('rejects a row the model cannot have produced', () => {
    expect(() => fitModel('bgbb', [{ x: 3, tx: 2, T: 6 }])).toThrow('recency must be at least frequency (3)');
    expect(() => fitModel('bgbb', [{ x: 1, tx: 1.5, T: 6 }])).toThrow('whole number');
  });
});

/**
 * The likelihood with θ the same for everyone, written out from the process (FHS 2010 §2) with
 * no beta function of θ: alive through all n opportunities, or alive through t_x + i and gone
 * before the next, each with p integrated over its Beta.
 */
function pointMassLikelihood({ alpha, beta, theta }: BgbbHomogeneousParams, x: number, tx: number, n: number): number {
  const transactions = (k: number): number => Math.exp(betaln(alpha + x, beta + k - x) - betaln(alpha, beta));
  let p = transactions(n) * (1 - theta) ** n;
  for (let i = 0; i <= n - tx - 1; i++) p += transactions(tx + i) * theta * (1 - theta) ** (tx + i);
  return p;
}

/** Expected pattern frequencies (x, t_x, n) of `perN` customers at each n of 6, 12 and 18, with θ the same for everyone. */
function homogeneousPatterns(params: BgbbHomogeneousParams, perN: number): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const n of [6, 12, 18]) {
    for (let tx = 0; tx <= n; tx++) {
      for (let x = tx === 0 ? 0 : 1; x <= tx; x++) {
        // sequences with x transactions, the last at t_x, times the probability of each (the individual likelihood)
        const ways = x === 0 ? 1 : Math.exp(gammaln(tx) - gammaln(x) - gammaln(tx - x + 1));
        rows.push({ x, tx, T: n, count: perN * ways * pointMassLikelihood(params, x, tx, n) });
      }
    }
  }
  return rows;
}
