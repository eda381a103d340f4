/**
 * BG/NBD: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative
 * to the Pareto/NBD Model", Marketing Science 24(2). While alive a customer buys at a Poisson
 * rate λ ~ Gamma(r, alpha); after each purchase she drops out with probability p ~ Beta(a, b).
 * Formulas are written out in docs/clv.md.
 */
import { bgFamilyRowTerm, sumByX } from './likelihood.ts';
import { betaln, gammaln, oneMinusScaledHyp2f1 } from './special.ts';
import type { BgParams, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

/** see BgXTerms in likelihood.ts */
interface XTerms {
  /** ln[Γ(r+x) α^r / Γ(r)] + ln[B(a, b+x) / B(a, b)] */
  readonly common: number;
  /** ln[a / (b+x−1)] for x > 0; −∞ for x = 0 (no drop-out after the last purchase is possible) */
  readonly dropout: number;
}

function xTerms({ r, alpha, a, b }: BgParams, x: number): XTerms {
  return {
    common: gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + betaln(a, b + x) - betaln(a, b),
    dropout: x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity,
  };
}

/** ln L(r, alpha, a, b | x, t_x, T) for one customer (FHL 2005 eq. 6). */
export function bgnbdLogLikelihood(params: BgParams, row: Row): number {
  return bgFamilyRowTerm(params, xTerms(params, row.x), row);
}

/** Σ count · ln L over summary rows ordered by x (see sumByX). */
export function bgnbdLogLikelihoodSum(params: BgParams, rows: readonly SummaryRow[]): number {
  return sumByX(rows, (x) => xTerms(params, x), (terms, row) => bgFamilyRowTerm(params, terms, row));
}

/** P(alive | x, t_x, T): exactly 1 when x = 0 (FHL 2008 note "Computing P(alive) using the BG/NBD model"). */
export function bgnbdPAlive({ r, alpha, a, b }: BgParams, { x, tx, T }: Row): number {
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** E[X(t)]: expected repeat purchases in (0, t] of a new customer (FHL 2005 eq. 9). */
export function bgnbdExpectedPurchases({ r, alpha, a, b }: BgParams, t: number): number {
  if (t === 0) return 0;
  const bracket = oneMinusScaledHyp2f1(r * Math.log(alpha / (alpha + t)), r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * bracket;
}

/** E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t] (FHL 2005 eq. 10). */
export function bgnbdConditionalExpectedPurchases(params: BgParams, row: Row, t: number): number {
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = row;
  const bracket = oneMinusScaledHyp2f1(
    (r + x) * Math.log((alpha + T) / (alpha + T + t)),
    r + x,
    b + x,
    a + b + x - 1,
    t / (alpha + T + t),
  );
  return ((a + b + x - 1) / (a - 1)) * bracket * bgnbdPAlive(params, row);
}
