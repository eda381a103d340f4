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
 * The drop-out probability's distribution by its mean μ = γ/(γ+δ) and polarisation φ = 1/(γ+δ)
 * (the parametrisation of Fader, Hardie & Shang 2010, section 4). Every drop-out term of the
 * BG/BB is a ratio of beta functions whose arguments differ by whole numbers, i.e. a product of
 *
 *   survive(k) = E[(1−θ)^(k+1)] / E[(1−θ)^k]       = (δ+k)/(γ+δ+k)   = (1−μ+kφ)/(1+kφ)
 *   dieNext(k) = E[θ(1−θ)^(k+1)] / E[θ(1−θ)^k]     = (δ+k)/(γ+δ+1+k) = (1−μ+kφ)/(1+(k+1)φ)
 *   E[θ] = μ
 *
 * which stay finite at φ = 0: the boundary where every customer has the same drop-out
 * probability θ = μ (BgbbHomogeneousParams), reached when γ + δ → ∞. So one set of formulas
 * serves the Beta drop-out and its homogeneous limit, and μ = 0 (nobody drops out) as well.
 */
export interface DropOut {
  readonly mean: number;
  readonly polarisation: number;
}

/** The drop-out distribution of BG/BB parameters (see DropOut). */
export function dropOut(params: BgbbParams): DropOut {
  if ('theta' in params) return { mean: params.theta, polarisation: 0 };
  const shapes = params.gamma + params.delta;
  return { mean: params.gamma / shapes, polarisation: 1 / shapes };
}

const survive = ({ mean, polarisation }: DropOut, k: number): number => (1 - mean + k * polarisation) / (1 + k * polarisation);
const dieNext = ({ mean, polarisation }: DropOut, k: number): number => (1 - mean + k * polarisation) / (1 + (k + 1) * polarisation);

/**
 * The log terms of the likelihood, each remembered for one parameter point: the transaction terms
 * depend on a row only through (x, n) and (x, t_x), the drop-out terms through n and t_x, which
 * take a few hundred values over thousands of rows (the airline: 1,121 rows, 24 values of n), so
 * most of a likelihood evaluation's terms are looked up rather than computed.
 */
class LogTerms {
  /** ln B(alpha, beta) */
  private readonly prior: number;
  private readonly drop: DropOut;
  private readonly cache = new Map<number, number>();
  /** ln E[(1−θ)^k] and ln E[θ(1−θ)^k] for k = 0, 1, …: running sums of ln survive and ln dieNext */
  private readonly alive: number[] = [0];
  private readonly dead: number[];

  constructor(readonly params: BgbbParams) {
    this.prior = betaln(params.alpha, params.beta);
    this.drop = dropOut(params);
    this.dead = [Math.log(this.drop.mean)];
  }

  /** ln E[p^x (1−p)^(k−x)] = ln B(alpha + x, beta + k − x) − ln B(alpha, beta) for whole 0 ≤ x ≤ k (k = n or t_x) */
  transactions(x: number, k: number): number {
    const key = (k * (k + 1)) / 2 + x;
    let value = this.cache.get(key);
    if (value === undefined) {
      value = betaln(this.params.alpha + x, this.params.beta + k - x) - this.prior;
      this.cache.set(key, value);
    }
    return value;
  }

  /** ln E[(1−θ)^k]: alive at each of k opportunities */
  aliveThrough(k: number): number {
    for (let j = this.alive.length; j <= k; j++) this.alive.push(this.alive[j - 1]! + Math.log(survive(this.drop, j - 1)));
    return this.alive[k]!;
  }

  /** ln E[θ(1−θ)^k]: alive at k opportunities, gone before the next */
  goneAfter(k: number): number {
    for (let j = this.dead.length; j <= k; j++) this.dead.push(this.dead[j - 1]! + Math.log(dieNext(this.drop, j - 1)));
    return this.dead[k]!;
  }

  dieNext(k: number): number {
    return dieNext(this.drop, k);
  }
}

/**
 * ln L(alpha, beta, gamma, delta | x, t_x, n) (FHS 2010 eq. 5):
 *
 *   L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
 *     + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)
 *
 * The first term: alive through opportunity n; the i-th: alive at t_x + i, dead from the next.
 * The drop-out ratios are E[(1−θ)^n] and E[θ(1−θ)^(t_x+i)] (DropOut). Each term of the sum is the
 * previous one times (β+t_x−x+i−1)/(α+β+t_x+i−1) · dieNext(t_x+i−1) (both < 1), so the sum is
 * taken relative to its first term.
 */
function rowLogLikelihood(terms: LogTerms, { x, tx, T: n }: Row): number {
  const { alpha, beta } = terms.params;
  const alive = terms.transactions(x, n) + terms.aliveThrough(n);
  if (n - tx <= 0) return alive;
  const first = terms.transactions(x, tx) + terms.goneAfter(tx);
  let term = 1;
  let sum = 1;
  for (let i = 1; i < n - tx; i++) {
    const b = beta + tx - x + i - 1;
    term *= (b / (alpha + b + x)) * terms.dieNext(tx + i - 1);
    sum += term;
  }
  return logAddExp(alive, first + Math.log(sum));
}

/** ln L for one customer (FHS 2010 eq. 5). */
export function bgbbLogLikelihood(params: BgbbParams, row: Row): number {
  return rowLogLikelihood(new LogTerms(params), row);
}

/** Σ count · ln L over summary rows (x, t_x, n with counts). */
export function bgbbLogLikelihoodSum(params: BgbbParams, rows: readonly SummaryRow[]): number {
  const terms = new LogTerms(params);
  return sumByX(rows, () => terms, rowLogLikelihood);
}

/**
 * P(alive at opportunity n+1 | x, t_x, n) (FHS 2010 eq. 11): the first term of L with one more
 * opportunity survived, over L. Divided through by B(α+x, β+n−x)·B(γ, δ+n+1), every term is a
 * product of rational factors:
 *
 *   1/P(alive) = (γ+δ+n)/(δ+n)
 *              + Σ_{i=0}^{n−t_x−1} [B(α+x, β+t_x−x+i)/B(α+x, β+n−x)] · [B(γ+1, δ+t_x+i)/B(γ, δ+n+1)]
 *
 * with B(a, b)/B(a, b+1) = (a+b)/b. In DropOut terms the first is 1/survive(n), the last term of
 * the sum (i = n−t_x−1) is (α+β+n−1)/(β+n−x−1) · μ(1+nφ)/((1−μ+(n−1)φ)(1−μ+nφ)), and summed
 * from there down to i = 0 each term is the next one times (α+β+t_x+i)/(β+t_x−x+i) /
 * dieNext(t_x+i), in log space (a customer silent for many opportunities makes these terms large).
 * With μ = 0 (nobody drops out) every term of the sum is 0 and P(alive) = 1.
 */
export function bgbbPAlive(params: BgbbParams, { x, tx, T: n }: Row): number {
  const { alpha, beta } = params;
  const drop = dropOut(params);
  const { mean, polarisation } = drop;
  const first = -Math.log(survive(drop, n));
  if (n - tx <= 0) return Math.exp(-first);
  let logTerm =
    Math.log((alpha + beta + n - 1) / (beta + n - x - 1)) +
    Math.log(mean) +
    Math.log((1 + n * polarisation) / ((1 - mean + (n - 1) * polarisation) * (1 - mean + n * polarisation)));
  let logSum = logAddExp(first, logTerm);
  for (let i = n - tx - 2; i >= 0; i--) {
    logTerm += Math.log((alpha + beta + tx + i) / (beta + tx - x + i)) - Math.log(dieNext(drop, tx + i));
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
 * each ratio the previous one times survive(n+i−1) = (δ+n+i−1)/(γ+δ+n+i−1). It does not depend
 * on t_x; times P(alive) it is FHS 2010 eq. 13 (tests/unit/clv/bgbb.test.ts checks that against
 * the closed form). t counts whole opportunities.
 */
export function bgbbExpectedIfAlive(params: BgbbParams, x: number, n: number, t: number): number {
  const drop = dropOut(params);
  let alive = 1;
  let sum = 0;
  for (let i = 1; i <= t; i++) {
    if (i > 1) alive *= survive(drop, n + i - 1);
    sum += alive;
  }
  return ((params.alpha + x) / (params.alpha + params.beta + n)) * sum;
}

/** E[X(n, n+t) | x, t_x, n] (FHS 2010 eq. 13): P(alive) × the expectation if alive. */
export function bgbbConditionalExpectedPurchases(params: BgbbParams, row: Row, t: number): number {
  wholeOpportunities(t);
  return bgbbPAlive(params, row) * bgbbExpectedIfAlive(params, row.x, row.T, t);
}

/**
 * E[X(t)]: expected transactions in the first t opportunities of a new customer (FHS 2010 eq. 7's
 * mean): Σ_{i=1}^{t} α/(α+β) · B(γ, δ+i)/B(γ, δ), i.e. the expectation if alive at opportunity 1
 * with n = 0, x = 0, times P(alive at 1) = survive(0) = δ/(γ+δ).
 */
export function bgbbExpectedPurchases(params: BgbbParams, t: number): number {
  wholeOpportunities(t);
  return survive(dropOut(params), 0) * bgbbExpectedIfAlive(params, 0, 0, t);
}

function wholeOpportunities(t: number): void {
  if (!Number.isInteger(t) || t < 0) throw new StrataError(`bgbb: a horizon is a whole number of opportunities, got ${t}`);
}
