/**
 * Special functions in log space. Log-gamma (FreeBSD msun's lgamma), log-beta (Fullerton's
 * SLATEC dlbeta) and the Gauss hypergeometric function (Cephes' hyp2f1) come from stdlib, which
 * maintains those ports. This file adds only the transformations that keep 2F1 finite where
 * the models need it, a direct series for the one form the Pareto/NBD likelihood evaluates
 * thousands of times per fit, and two log-sum helpers.
 */
import betalnStdlib from '@stdlib/math-base-special-betaln';
import gammalnStdlib from '@stdlib/math-base-special-gammaln';
import hyp2f1Stdlib from '@stdlib/math-base-special-hyp2f1';

/** ln Γ(x). */
export const gammaln: (x: number) => number = gammalnStdlib;

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without forming the gammas. */
export const betaln: (a: number, b: number) => number = betalnStdlib;

/** 2F1(a, b; c; z) as a plain value (stdlib); may overflow for large parameters. */
export const hyp2f1: (a: number, b: number, c: number, z: number) => number = hyp2f1Stdlib;

/**
 * ln 2F1(a, b; c; z) for z < 1 where the function is positive; NaN where it cannot be
 * evaluated (the likelihoods then steer the optimiser away; predictions report it).
 *
 * The models call 2F1 with one of a, b growing with a customer's frequency x, so the plain value
 * grows like (1 − z)^(−x) and overflows near x ≈ 700/−ln(1 − z). Two classical identities
 * (Abramowitz & Stegun 15.3.3 Euler, 15.3.4 Pfaff) move that growth into an explicit
 * factor that is added in log space, leaving a series whose terms stay bounded:
 *   z < 0:          2F1(a,b;c;z) = (1 − z)^(−a) · 2F1(a, c − b; c; z/(z − 1))     (argument now in [0,1))
 *   c − a − b < 0:  2F1(a,b;c;z) = (1 − z)^(c−a−b) · 2F1(c − a, c − b; c; z)
 *
 * @example logHyp2f1(2000.5, 1.6, 2001.5, 0.9) // finite, where hyp2f1 alone gives Infinity
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z < 1)) return NaN;
  if (z === 0) return 0;
  if (z < 0) return -a * Math.log1p(-z) + logHyp2f1(a, c - b, c, z / (z - 1));
  const excess = c - a - b;
  const [p, q, logFactor] = excess < 0 ? [c - a, c - b, excess * Math.log1p(-z)] : [a, b, 0];
  const value = hyp2f1(p, q, c, z);
  return Number.isFinite(value) && value > 0 ? logFactor + Math.log(value) : NaN;
}

/**
 * 1 − e^logFactor · 2F1(a, b; c; z): the bracket of the BG/NBD and MBG/NBD expectations. In log
 * space where 2F1 is positive; where it is not (c < 0, e.g. a + b + x − 1 < 0 for a customer with
 * x = 0 when the fitted a + b < 1, and the 2F1 is negative), from stdlib's plain value, which
 * for the small parameters of that case does not overflow. NaN when neither is finite.
 */
export function oneMinusScaledHyp2f1(logFactor: number, a: number, b: number, c: number, z: number): number {
  const log = logHyp2f1(a, b, c, z);
  if (Number.isFinite(log)) return -Math.expm1(logFactor + log);
  return 1 - Math.exp(logFactor) * hyp2f1(a, b, c, z);
}

/** Terms the direct series may take before ln 2F1(1, b; c; z) hands over to stdlib. */
const MAX_SERIES_TERMS = 2000;

/**
 * ln 2F1(1, b; c; z) for 0 ≤ z < 1 and 0 < b ≤ c: the form every Pareto/NBD likelihood term
 * takes after Euler's transformation (see pareto.ts). Its terms (b)_k/(c)_k z^k shrink by at
 * least z each, so the sum needs no scaling, and the tail after a term is at most
 * term·z/(1 − z): the loop stops when that is below double precision of the sum. It runs twice
 * per distinct row per likelihood evaluation, so this direct loop (a dozen terms at the usual
 * z ≈ 0.1) replaces stdlib's general routine on the hot path; when z is so close to 1 that the
 * series would need more than MAX_SERIES_TERMS terms, stdlib's (which transforms z → 1 − z)
 * takes over. NaN when neither converges.
 */
export function logHyp2f1One(b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1 && b > 0 && b <= c)) return logHyp2f1(1, b, c, z);
  const tailFactor = z / (1 - z);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < MAX_SERIES_TERMS; k++) {
    term *= ((b + k) / (c + k)) * z;
    sum += term;
    if (term * tailFactor <= 1e-17 * sum) return Math.log(sum);
  }
  return logHyp2f1(1, b, c, z);
}

/** ln(e^u + e^v) without overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(Math.exp(-Math.abs(u - v)));
}

/** ln(e^u − e^v) for u ≥ v; −Infinity when they are equal. */
export function logSubExp(u: number, v: number): number {
  if (v === -Infinity) return u;
  return u + Math.log1p(-Math.exp(v - u));
}
