/**
 * Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They
 * and What Will They Do Next?", Management Science 33(1), in the form of Fader & Hardie (2005),
 * "A Note on Deriving the Pareto/NBD Model and Related Expressions" (brucehardie.com note 009).
 * While alive a customer buys at a Poisson rate λ ~ Gamma(r, alpha); her lifetime is
 * exponential with rate μ ~ Gamma(s, beta). Formulas are written out in docs/clv.md.
 */
import { sumByX } from './likelihood.ts';
import { gammaln, logAddExp, logHyp2f1One, logSubExp } from './special.ts';
import type { ParetoParams, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

interface XTerms {
  /** ln[Γ(r+x) α^r β^s / Γ(r)] */
  readonly common: number;
  /** ln of one of A0's two terms (below) at time t; the same for every row with this x */
  readonly logA0Term: (t: number) => number;
}

/**
 * A0 (note 009 eqs. 19–20) is the difference of one function of t at t_x and at T: with
 * m = max(alpha, beta) and, for alpha ≥ beta, b = s + 1, otherwise b = r + x,
 *   A0 = 2F1(r+s+x, b; r+s+x+1; |alpha−beta|/(m+t_x)) / (m+t_x)^(r+s+x)
 *      − 2F1(r+s+x, b; r+s+x+1; |alpha−beta|/(m+T))   / (m+T)^(r+s+x).
 * Each 2F1 goes through Euler's transformation, 2F1(c−1, b; c; z) = (1−z)^(1−b) 2F1(1, c−b; c; z)
 * with c = r+s+x+1: for alpha < beta, b = r + x grows with x and the untransformed value
 * overflows near x ≈ 700/−ln(1−z); the transformed series stays between 1 and 1/(1−z).
 * The term depends on the row only through (x, t), so it is remembered per x: customers
 * observed for the same T, or with the same t_x, share one evaluation.
 */
function xTerms({ r, alpha, s, beta }: ParetoParams, x: number): XTerms {
  const m = Math.max(alpha, beta);
  const b = alpha >= beta ? s + 1 : r + x;
  const c = r + s + x + 1;
  const gap = Math.abs(alpha - beta);
  const memo = new Map<number, number>();
  return {
    common: gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + s * Math.log(beta),
    logA0Term: (t) => {
      let value = memo.get(t);
      if (value === undefined) {
        const z = gap / (m + t);
        value = (1 - b) * Math.log1p(-z) + logHyp2f1One(c - b, c, z) - (c - 1) * Math.log(m + t);
        memo.set(t, value);
      }
      return value;
    },
  };
}

/** ln of the likelihood's "still alive at T" part, and of its "died in (t_x, T]" part. */
function parts(params: ParetoParams, terms: XTerms, { x, tx, T }: Row): readonly [alive: number, died: number] {
  const { r, alpha, s, beta } = params;
  return [
    -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T),
    Math.log(s) - Math.log(r + s + x) + logSubExp(terms.logA0Term(tx), terms.logA0Term(T)),
  ];
}

function rowTerm(params: ParetoParams, terms: XTerms, row: Row): number {
  const [alive, died] = parts(params, terms, row);
  return terms.common + logAddExp(alive, died);
}

/** ln L(r, alpha, s, beta | x, t_x, T) for one customer (note 009 eq. 18). */
export function paretoLogLikelihood(params: ParetoParams, row: Row): number {
  return rowTerm(params, xTerms(params, row.x), row);
}

/** Σ count · ln L over summary rows ordered by x (see sumByX). */
export function paretoLogLikelihoodSum(params: ParetoParams, rows: readonly SummaryRow[]): number {
  return sumByX(rows, (x) => xTerms(params, x), (terms, row) => rowTerm(params, terms, row));
}

/** P(alive | x, t_x, T) = alive part / (alive + died parts) (note 009 section 5.1). */
export function paretoPAlive(params: ParetoParams, row: Row): number {
  const [alive, died] = parts(params, xTerms(params, row.x), row);
  return 1 / (1 + Math.exp(died - alive));
}

/** (1 − u^e)/e, continuous at e = 0 where it is −ln u. */
function oneMinusPowOver(u: number, e: number): number {
  const logU = Math.log(u);
  return Math.abs(e) < 1e-12 ? -logU : -Math.expm1(e * logU) / e;
}

/** E[X(t)]: expected repeat purchases in (0, t] of a new customer (note 009 eq. 27). */
export function paretoExpectedPurchases({ r, alpha, s, beta }: ParetoParams, t: number): number {
  return ((r * beta) / alpha) * oneMinusPowOver(beta / (beta + t), s - 1);
}

/** E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t] (note 009 eq. 41). */
export function paretoConditionalExpectedPurchases(params: ParetoParams, row: Row, t: number): number {
  const { r, alpha, s, beta } = params;
  const { x, T } = row;
  const rate = ((r + x) * (beta + T)) / (alpha + T);
  return rate * oneMinusPowOver((beta + T) / (beta + T + t), s - 1) * paretoPAlive(params, row);
}
