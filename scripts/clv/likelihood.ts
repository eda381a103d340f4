/**
 * Summing a per-customer log-likelihood over distinct summary rows. Every model splits its
 * log-likelihood into terms that depend only on x (log-gammas, log-betas: the expensive part)
 * and the rest; rows arrive ordered by x, so the x terms are computed once per distinct x.
 */
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
