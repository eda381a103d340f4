/**
 * MBG/NBD: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of
 * models for customer base analysis", IJRM 24(3), with the erratum of Wagner & Hoppe (2008),
 * IJRM 25(3). As BG/NBD, except that a customer may also drop out right after the first
 * purchase, so a customer with no repeat purchase is not certainly alive.
 * Formulas are written out in docs/clv.md.
 */
import { bgFamilyRowTerm, sumByX } from './likelihood.ts';
import { betaln, gammaln, oneMinusScaledHyp2f1 } from './special.ts';
import type { BgParams, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

/** see BgXTerms in likelihood.ts */
interface XTerms {
  /** ln[Γ(r+x) α^r / Γ(r)] + ln[B(a, b+x+1) / B(a, b)] */
  readonly common: number;
  /** ln[a / (b+x)] */
  readonly dropout: number;
}

function xTerms({ r, alpha, a, b }: BgParams, x: number): XTerms {
  return {
    common: gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + betaln(a, b + x + 1) - betaln(a, b),
    dropout: Math.log(a) - Math.log(b + x),
  };
}

/** ln L(r, alpha, a, b | x, t_x, T) for one customer (Batislam et al. 2007, appendix). */
export function mbgnbdLogLikelihood(params: BgParams, row: Row): number {
  return bgFamilyRowTerm(params, xTerms(params, row.x), row);
}

/** Σ count · ln L over summary rows ordered by x (see sumByX). */
export function mbgnbdLogLikelihoodSum(params: BgParams, rows: readonly SummaryRow[]): number {
  return sumByX(rows, (x) => xTerms(params, x), (terms, row) => bgFamilyRowTerm(params, terms, row));
}

/** P(alive | x, t_x, T); below 1 even for x = 0. */
export function mbgnbdPAlive({ r, alpha, a, b }: BgParams, { x, tx, T }: Row): number {
  const logOdds = Math.log(a) - Math.log(b + x) + (r + x) * Math.log((alpha + T) / (alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** E[X(t)]: expected repeat purchases in (0, t] of a new customer. */
export function mbgnbdExpectedPurchases({ r, alpha, a, b }: BgParams, t: number): number {
  if (t === 0) return 0;
  const bracket = oneMinusScaledHyp2f1(r * Math.log(alpha / (alpha + t)), r, b + 1, a + b, t / (alpha + t));
  return (b / (a - 1)) * bracket;
}

/** E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t] (Wagner & Hoppe 2008). */
export function mbgnbdConditionalExpectedPurchases(params: BgParams, row: Row, t: number): number {
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const { x, T } = row;
  const bracket = oneMinusScaledHyp2f1(
    (r + x) * Math.log((alpha + T) / (alpha + T + t)),
    r + x,
    b + x + 1,
    a + b + x,
    t / (alpha + T + t),
  );
  return ((a + b + x) / (a - 1)) * bracket * mbgnbdPAlive(params, row);
}
