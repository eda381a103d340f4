/**
 * Gamma-Gamma spend model: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
 * (brucehardie.com note 025), after Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4).
 * A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, v); the model sees the
 * mean value m of her x repeat purchases. It assumes spend is independent of frequency.
 * Formulas are written out in docs/clv.md.
 */
import { sumByX } from './likelihood.ts';
import { gammaln } from './special.ts';
import type { GammaGammaParams, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'monetary'>;

function xTerm({ p, q, v }: GammaGammaParams, x: number): number {
  return gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * Math.log(v) + p * x * Math.log(x);
}

function rowTerm({ p, q, v }: GammaGammaParams, common: number, x: number, m: number): number {
  return common + (p * x - 1) * Math.log(m) - (p * x + q) * Math.log(v + m * x);
}

/** ln f(m | p, q, v, x): the density of a repeat customer's mean spend m (note 025 eq. 1a). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, { x, monetary }: Row): number {
  return rowTerm(params, xTerm(params, x), x, monetary ?? NaN);
}

/** Σ count · ln f over repeat customers' rows ordered by x (see sumByX). */
export function gammaGammaLogLikelihoodSum(params: GammaGammaParams, rows: readonly SummaryRow[]): number {
  return sumByX(
    rows,
    (x) => xTerm(params, x),
    (common, row) => rowTerm(params, common, row.x, row.monetary ?? NaN),
  );
}

/**
 * E[M | p, q, v, m, x]: the expected value of the customer's future transactions (note 025
 * eq. 5), a weighted mean of the population mean p·v/(q − 1) and her own mean m, the weight
 * on hers being p·x/(p·x + q − 1). With x = 0 it is the population mean. Needs q > 1.
 */
export function gammaGammaExpectedSpend({ p, q, v }: GammaGammaParams, { x, monetary }: Row): number {
  const own = x > 0 ? (monetary ?? 0) : 0;
  return (p * (v + x * own)) / (p * x + q - 1);
}

/** Pearson correlation of frequency and mean spend over repeat customers (with counts). */
export function spendFrequencyCorrelation(rows: readonly SummaryRow[]): number {
  let n = 0;
  let sx = 0;
  let sm = 0;
  for (const { x, monetary = 0, count = 1 } of rows) {
    n += count;
    sx += count * x;
    sm += count * monetary;
  }
  const [mx, mm] = [sx / n, sm / n];
  let cov = 0;
  let vx = 0;
  let vm = 0;
  for (const { x, monetary = 0, count = 1 } of rows) {
    cov += count * (x - mx) * (monetary - mm);
    vx += count * (x - mx) ** 2;
    vm += count * (monetary - mm) ** 2;
  }
  return cov / Math.sqrt(vx * vm);
}
