/**
 * BG/BB: Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
 * Setting", Marketing Science 29(6). Transactions can happen only at discrete opportunities
 * (a calendar month for the airline): while alive a customer transacts at each opportunity with
 * probability p ~ Beta(alpha, beta), and before each opportunity she drops out for good with
 * probability θ ~ Beta(gamma, delta). A customer is summarised by x = opportunities with a
 * transaction after the first, t_x = the opportunity of the last one (0 when x = 0) and
 * n = opportunities after the first. Here `SummaryRow.T` carries n. Formulas: docs/clv.md.
 *
 * Every prediction is written with ratios of beta functions whose arguments differ by whole
 * numbers, i.e. finite products of rational terms, so the SQL port (operations/clv_formulas.sql)
 * needs no log-gamma (PostgreSQL has none before 18) and computes exactly what this file does.
 */
import { StrataError } from '../core/errors.ts';
import { sumByX } from './likelihood.ts';
import { betaln, logAddExp } from './special.ts';
import type { BgbbParams, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

/**
 * The log-beta terms of the likelihood, each remembered for one parameter point: they depend on a
 * row only through (x, n), n, (x, t_x) and t_x, which take a few hundred values over thousands of
 * rows (the airline: 1,121 rows, 24 values of n), so most of a likelihood evaluation's ln B are
 * looked up rather than computed.
 */
class LogBetas {
  /** ln B(alpha, beta) + ln B(gamma, delta), the denominator every term shares */
  readonly prior: number;
  private readonly cache = new Map<number, number>();

  constructor(readonly params: BgbbParams) {
    this.prior = betaln(params.alpha, params.beta) + betaln(params.gamma, params.delta);
  }

  /** ln B(alpha + x, beta + k − x) for whole 0 ≤ x ≤ k (k = n or t_x); keys ≡ 0 mod 4, one per (x, k) */
  transactions(x: number, k: number): number {
    return this.remember(4 * ((k * (k + 1)) / 2 + x), () => betaln(this.params.alpha + x, this.params.beta + k - x));
  }

  /** ln B(gamma + extra, delta + k) for extra 0 or 1 and whole k; keys ≡ 1 or 2 mod 4 */
  survival(extra: 0 | 1, k: number): number {
    return this.remember(4 * k + 1 + extra, () => betaln(this.params.gamma + extra, this.params.delta + k));
  }

  private remember(key: number, compute: () => number): number {
    let value = this.cache.get(key);
    if (value === undefined) {
      value = compute();
      this.cache.set(key, value);
    }
    return value;
  }
}

/**
 * ln L(alpha, beta, gamma, delta | x, t_x, n) (FHS 2010 eq. 5):
 *
 *   L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
 *     + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)
 *
 * The first term: alive through opportunity n; the i-th: alive at t_x + i, dead from the next.
 * Each term of the sum is the previous one times (β+t_x−x+i−1)/(α+β+t_x+i−1) ·
 * (δ+t_x+i−1)/(γ+1+δ+t_x+i−1) (both < 1), so the sum is taken relative to its first term.
 */
function rowLogLikelihood(betas: LogBetas, { x, tx, T: n }: Row): number {
  const { alpha, beta, gamma, delta } = betas.params;
  const alive = betas.transactions(x, n) + betas.survival(0, n) - betas.prior;
  if (n - tx <= 0) return alive;
  const first = betas.transactions(x, tx) + betas.survival(1, tx) - betas.prior;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < n - tx; i++) {
    const b = beta + tx - x + i - 1;
    const d = delta + tx + i - 1;
    term *= (b / (alpha + b + x)) * (d / (gamma + 1 + d));
    sum += term;
  }
  return logAddExp(alive, first + Math.log(sum));
}

/** ln L for one customer (FHS 2010 eq. 5). */
export function bgbbLogLikelihood(params: BgbbParams, row: Row): number {
  return rowLogLikelihood(new LogBetas(params), row);
}

/** Σ count · ln L over summary rows (x, t_x, n with counts). */
export function bgbbLogLikelihoodSum(params: BgbbParams, rows: readonly SummaryRow[]): number {
  const betas = new LogBetas(params);
  return sumByX(rows, () => betas, rowLogLikelihood);
}

/**
 * P(alive at opportunity n+1 | x, t_x, n) (FHS 2010 eq. 11): the first term of L with one more
 * opportunity survived, over L. Divided through by B(α+x, β+n−x)·B(γ, δ+n+1), every term is a
 * product of rational factors:
 *
 *   1/P(alive) = (γ+δ+n)/(δ+n)
 *              + Σ_{i=0}^{n−t_x−1} [B(α+x, β+t_x−x+i)/B(α+x, β+n−x)] · [B(γ+1, δ+t_x+i)/B(γ, δ+n+1)]
 *
 * with B(a, b)/B(a, b+1) = (a+b)/b and B(γ+1, d)/B(γ, d) = γ/(γ+d). Summed from i = n−t_x−1
 * down to 0, each term is the next one times (α+β+t_x+i)/(β+t_x−x+i) · (γ+1+δ+t_x+i)/(δ+t_x+i),
 * in log space (a customer silent for many opportunities makes these terms large).
 */
export function bgbbPAlive({ alpha, beta, gamma, delta }: BgbbParams, { x, tx, T: n }: Row): number {
  // ln of the i = n−t_x−1 term: B(α+x, β+n−x−1)/B(α+x, β+n−x) · B(γ+1, δ+n−1)/B(γ, δ+n+1)
  //   = (α+β+n−1)/(β+n−x−1) · γ/(γ+δ+n−1) · (γ+δ+n−1)(γ+δ+n)/((δ+n−1)(δ+n))
  const first = Math.log((gamma + delta + n) / (delta + n));
  if (n - tx <= 0) return 1 / Math.exp(first);
  let logTerm =
    Math.log((alpha + beta + n - 1) / (beta + n - x - 1)) +
    Math.log(gamma) +
    Math.log((gamma + delta + n) / ((delta + n - 1) * (delta + n)));
  let logSum = logAddExp(first, logTerm);
  for (let i = n - tx - 2; i >= 0; i--) {
    logTerm += Math.log((alpha + beta + tx + i) / (beta + tx - x + i)) + Math.log((gamma + 1 + delta + tx + i) / (delta + tx + i));
    logSum = logAddExp(logSum, logTerm);
  }
  return Math.exp(-logSum);
}

/**
 * E[X(n, n+t) | alive at n+1, x, n]: expected transactions in the next t opportunities of a
 * customer known to be alive at the first of them. Given that, p ~ Beta(α+x, β+n−x) (she was
 * alive at all n opportunities) and θ ~ Beta(γ, δ+n+1), so
 *
 *   E = (α+x)/(α+β+n) · Σ_{i=1}^{t} B(γ, δ+n+i)/B(γ, δ+n+1),
 *
 * each ratio the previous one times (δ+n+i−1)/(γ+δ+n+i−1). It does not depend on t_x; times
 * P(alive) it is FHS 2010 eq. 13 (tests/unit/clv/bgbb.test.ts checks that against the closed form).
 * t counts whole opportunities.
 */
export function bgbbExpectedIfAlive({ alpha, beta, gamma, delta }: BgbbParams, x: number, n: number, t: number): number {
  let survive = 1;
  let sum = 0;
  for (let i = 1; i <= t; i++) {
    if (i > 1) survive *= (delta + n + i - 1) / (gamma + delta + n + i - 1);
    sum += survive;
  }
  return ((alpha + x) / (alpha + beta + n)) * sum;
}

/** E[X(n, n+t) | x, t_x, n] (FHS 2010 eq. 13): P(alive) × the expectation if alive. */
export function bgbbConditionalExpectedPurchases(params: BgbbParams, row: Row, t: number): number {
  wholeOpportunities(t);
  return bgbbPAlive(params, row) * bgbbExpectedIfAlive(params, row.x, row.T, t);
}

/**
 * E[X(t)]: expected transactions in the first t opportunities of a new customer (FHS 2010 eq. 7's
 * mean): Σ_{i=1}^{t} α/(α+β) · B(γ, δ+i)/B(γ, δ), i.e. the expectation if alive at opportunity 1
 * with n = 0, x = 0, times P(alive at 1) = δ/(γ+δ).
 */
export function bgbbExpectedPurchases(params: BgbbParams, t: number): number {
  wholeOpportunities(t);
  return (params.delta / (params.gamma + params.delta)) * bgbbExpectedIfAlive(params, 0, 0, t);
}

function wholeOpportunities(t: number): void {
  if (!Number.isInteger(t) || t < 0) throw new StrataError(`bgbb: a horizon is a whole number of opportunities, got ${t}`);
}
