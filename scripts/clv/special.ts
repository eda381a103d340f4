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

/** Terms the direct series may take before ln 2F1(1, b; c; z) hands over to the forms near z = 1. */
const MAX_SERIES_TERMS = 2000;

/**
 * ln 2F1(1, b; c; z) for 0 ≤ z < 1 and 0 < b ≤ c: the form every Pareto/NBD likelihood term
 * takes after Euler's transformation (see pareto.ts). It runs twice per distinct row per
 * likelihood evaluation, so it has fast paths for the two regions a fit visits:
 * - z not near 1 (the usual z ≈ 0.1): the direct series. Its terms (b)_k/(c)_k z^k shrink by at
 *   least z each, so the sum needs no scaling, and the tail after a term is at most
 *   term·z/(1 − z): the loop stops when that is below double precision of the sum.
 * - z near 1, where the series would need more than MAX_SERIES_TERMS terms: the form in 1 − z
 *   (nearOne, below). A fit reaches it when the data show no drop-out: the Pareto/NBD's s and
 *   beta then grow together (mean drop-out rate s/beta → 0) and z = (beta − alpha)/(beta + t)
 *   comes within 1e-8 of 1; on Online Retail every evaluation was there, and stdlib's general
 *   routine took 3.9 s for the candidate's fit (docs/benchmarks.md, session 13).
 * stdlib's routine takes over where neither applies. NaN when nothing converges.
 */
export function logHyp2f1One(b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1 && b > 0 && b <= c)) return logHyp2f1(1, b, c, z);
  if (seriesTermsBound(z) <= MAX_SERIES_TERMS) {
    const tailFactor = z / (1 - z);
    let term = 1;
    let sum = 1;
    for (let k = 0; k < MAX_SERIES_TERMS; k++) {
      term *= ((b + k) / (c + k)) * z;
      sum += term;
      if (term * tailFactor <= 1e-17 * sum) return Math.log(sum);
    }
  }
  const near = nearOne(b, c, z);
  return Number.isFinite(near) ? near : logHyp2f1(1, b, c, z);
}

/** Terms after which the direct series of 2F1(1, b; c; z) has surely converged (its ratio is below z). */
function seriesTermsBound(z: number): number {
  return z === 0 ? 0 : Math.log((1e-17 * (1 - z)) / z) / Math.log(z);
}

/**
 * ln 2F1(1, b; c; z) by Abramowitz & Stegun 15.3.6, the connection to w = 1 − z, with m = c − 1 − b:
 *   2F1(1, b; c; z) = (c − 1)/m · 2F1(1, b; 1 − m; w)  +  Γ(c) Γ(−m) / Γ(b) · w^m (1 − w)^(1 − c)
 * (the second 2F1 of 15.3.6, 2F1(c − 1, m + 1; m + 1; w), is (1 − w)^(1 − c)). For small w the
 * series in w takes a few terms. NaN, so that the caller hands over to stdlib, where this form
 * is not accurate: m within 0.01 of an integer (Γ(−m) has a pole there and 15.3.6 needs its
 * limiting form), the series does not settle within 200 terms, or the two parts cancel (their
 * sum must keep 13 of the 16 digits). Against the series summed to the end, on 1 − z from 2e-5
 * to 0.03: within 5e-11, where stdlib's routine is off by up to 2e-7 (tests/unit/clv/special.test.ts).
 */
function nearOne(b: number, c: number, z: number): number {
  const w = 1 - z;
  const m = c - 1 - b;
  // m itself is known to about 1e-16 of c: near an integer, its distance to it (which the terms
  // near the pole divide by) carries that error, relative to the distance
  if (Math.abs(m - Math.round(m)) < 1e-2) return NaN;
  let term = 1;
  let series = 1;
  let settled = false;
  for (let k = 0; k < 200 && !settled; k++) {
    term *= ((b + k) / (1 - m + k)) * w;
    series += term;
    settled = Math.abs(term) <= 1e-17 * Math.abs(series) && Math.abs((b + k + 1) / (1 - m + k + 1)) * w < 0.5;
  }
  if (!settled) return NaN;
  const first = ((c - 1) / m) * series;
  // Γ(−m) = −π / (sin(πm) Γ(1 + m)) (reflection), its sign and the log of its size
  const sine = Math.sin(Math.PI * m);
  const logSecond = gammaln(c) + Math.log(Math.PI) - Math.log(Math.abs(sine)) - gammaln(1 + m) - gammaln(b) + m * Math.log(w) - (c - 1) * Math.log1p(-w);
  const second = -Math.sign(sine) * Math.exp(logSecond);
  const sum = first + second;
  if (!(sum > 0) || !Number.isFinite(sum) || sum < 1e-3 * Math.max(Math.abs(first), Math.abs(second))) return NaN;
  return Math.log(sum);
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
