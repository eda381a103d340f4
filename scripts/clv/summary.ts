/**
 * Customer summaries reduced to their distinct values with counts. The likelihoods depend on a
 * customer only through (x, t_x, T) — or (x, m) for spend — so a fit over the distinct rows,
 * each weighted by its count, equals the fit over every customer and costs what the number of
 * distinct rows costs.
 */
import type { SummaryRow } from './types.ts';

/**
 * Which fields a fit reads: the purchase models in continuous time (x, t_x, T), the BG/BB on
 * discrete opportunities (x, t_x, n: whole numbers), or the spend model (x, m).
 */
export type SummaryKind = 'purchase' | 'opportunity' | 'spend';

/** The problem with one summary row, or undefined when it is usable for `kind`. */
export function rowProblem(row: SummaryRow, kind: SummaryKind): string | undefined {
  const { x, tx, T, monetary } = row;
  if (!Number.isInteger(x) || x < 0) return `frequency must be a whole number >= 0, got ${x}`;
  if (row.count !== undefined && !(row.count > 0)) return `count must be > 0, got ${row.count}`;
  if (kind === 'spend') {
    if (x > 0 && !(monetary !== undefined && monetary > 0 && Number.isFinite(monetary))) {
      return `monetary_value must be > 0 for a repeat customer (frequency ${x}), got ${monetary}`;
    }
    return undefined;
  }
  if (kind === 'opportunity') {
    // n = 0 (first transaction at the last opportunity) is a customer the likelihood learns nothing from
    if (!Number.isInteger(T) || T < 0) return `n (opportunities after the first) must be a whole number >= 0, got ${T}`;
    if (!Number.isInteger(tx) || tx > T) return `recency must be a whole number between 0 and n (${T}), got ${tx}`;
    if (x === 0 && tx !== 0) return `recency must be 0 when frequency is 0, got ${tx}`;
    if (tx < x) return `recency must be at least frequency (${x}): x transactions need x opportunities, got ${tx}`;
    return undefined;
  }
  if (!(T > 0) || !Number.isFinite(T)) return `T must be > 0, got ${T}`;
  if (!(tx >= 0) || tx > T) return `recency must be between 0 and T (${T}), got ${tx}`;
  if (x === 0 && tx !== 0) return `recency must be 0 when frequency is 0, got ${tx}`;
  return undefined;
}

/**
 * Accumulates rows into distinct combinations while they stream in. `spend` keeps only repeat
 * customers (x > 0), the only ones whose average order value the Gamma-Gamma model sees.
 */
export class SummaryAggregator {
  private readonly groups = new Map<string, { row: SummaryRow; count: number }>();
  private total = 0;

  constructor(readonly kind: SummaryKind) {}

  add(row: SummaryRow): void {
    const count = row.count ?? 1;
    if (this.kind === 'spend' && row.x === 0) return;
    const key = this.kind === 'spend' ? `${row.x}|${row.monetary}` : `${row.x}|${row.tx}|${row.T}`;
    const group = this.groups.get(key);
    if (group) group.count += count;
    else this.groups.set(key, { row, count });
    this.total += count;
  }

  /** customers added (for `spend`: repeat customers) */
  get customers(): number {
    return this.total;
  }

  /** The distinct rows with counts, ordered by x then t_x, T, m (the likelihoods cache per x). */
  rows(): SummaryRow[] {
    const out: SummaryRow[] = [];
    for (const { row, count } of this.groups.values()) {
      out.push(
        this.kind === 'spend'
          ? { x: row.x, tx: 0, T: 0, monetary: row.monetary, count }
          : { x: row.x, tx: row.tx, T: row.T, count },
      );
    }
    return out.sort((u, v) => u.x - v.x || u.tx - v.tx || u.T - v.T || (u.monetary ?? 0) - (v.monetary ?? 0));
  }
}

/** `rows` reduced to distinct combinations with counts (see SummaryAggregator). */
export function aggregateSummary(rows: Iterable<SummaryRow>, kind: SummaryKind): SummaryRow[] {
  const aggregator = new SummaryAggregator(kind);
  for (const row of rows) aggregator.add(row);
  return aggregator.rows();
}
