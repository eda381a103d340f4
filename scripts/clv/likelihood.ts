/**
 * Summing a per-customer log-likelihood over distinct summary rows. Every model splits its
 * log-likelihood into terms that depend only on x (log-gammas, log-betas: the expensive part)
 * and the rest; rows arrive ordered by x, so the x terms are computed once per distinct x.
 */
import { logAddExp } from './special.ts';
import type { SummaryRow } from './types.ts';

/**
 * Σ count · perRow(perX(x), row), with Neumaier's compensated summation so that a million
 * customers' terms add up to the same value in any order (the optimiser compares sums that
 * differ in the twelfth digit).
 */
export function sumByX<XTerms>(
  rows: readonly SummaryRow[],
  perX: (x: number) => XTerms,
  perRow: (xTerms: XTerms, row: SummaryRow) => number,
): number {
  let sum = 0;
  let compensation = 0;
  let lastX = NaN;
  let xTerms: XTerms | undefined;
  for (const row of rows) {
    if (row.x !== lastX || xTerms === undefined) {
      xTerms = perX(row.x);
      lastX = row.x;
    }
    const term = (row.count ?? 1) * perRow(xTerms, row);
    const next = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
    sum = next;
  }
  return sum + compensation;
}

/** What the BG/NBD family's likelihood needs per distinct x: the shared term and the dropout term. */
export interface BgXTerms {
  readonly common: number;
  readonly dropout: number;
}

/**
 * ln L for one (x, t_x, T) row of a BG/NBD-family model, given its x terms: BG/NBD and MBG/NBD
 * differ only in those terms (FHL 2005 eq. 6; Batislam et al. 2007).
 */
export function bgFamilyRowTerm(
  { r, alpha }: { readonly r: number; readonly alpha: number },
  terms: BgXTerms,
  { x, tx, T }: Pick<SummaryRow, 'x' | 'tx' | 'T'>,
): number {
  return terms.common + logAddExp(-(r + x) * Math.log(alpha + T), terms.dropout - (r + x) * Math.log(alpha + tx));
}
