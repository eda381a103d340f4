/**
 * Draws customer summaries from the BG/NBD or BG/BB process itself, with a seed: for benchmarks at any
 * scale and for tests that a fit recovers the parameters that generated its data.
 */
import { Random } from '../core/random.ts';
import type { BgbbParams, BgParams, SummaryRow } from './types.ts';

export interface SimulationOptions {
  readonly customers: number;
  readonly seed: number;
  /** each customer's T is drawn uniformly from [minT, maxT]; e.g. weeks 27–39 as in CDNOW */
  readonly minT: number;
  readonly maxT: number;
  /** times are rounded down to multiples of this (e.g. 1/7 for whole days when the unit is
   * weeks), as recorded data are; 0 keeps them exact */
  readonly resolution: number;
}

/**
 * One summary row per customer: λ ~ Gamma(r, alpha), p ~ Beta(a, b); purchases arrive at rate λ
 * and after each repeat purchase the customer drops out with probability p (FHL 2005 §3).
 */
export function simulateBgnbd({ r, alpha, a, b }: BgParams, options: SimulationOptions): SummaryRow[] {
  const draws = new Random(options.seed);
  const random = (): number => draws.next();
  const step = options.resolution;
  const round = (t: number): number => (step > 0 ? Math.floor(t / step) * step : t);
  const rows: SummaryRow[] = [];
  for (let i = 0; i < options.customers; i++) {
    const T = round(options.minT + random() * (options.maxT - options.minT));
    const lambda = draws.gamma(r, 1 / alpha);
    const p = draws.beta(a, b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      const rounded = round(t);
      if (rounded > T) break;
      x++;
      tx = rounded;
      if (random() < p) break;
    }
    rows.push({ x, tx, T });
  }
  return rows;
}

export interface OpportunitySimulationOptions {
  readonly customers: number;
  readonly seed: number;
  /** each customer's n (opportunities after the first) is drawn uniformly from the whole numbers minN..maxN */
  readonly minN: number;
  readonly maxN: number;
}

/**
 * One (x, t_x, n) row per customer from the BG/BB process (FHS 2010 §2): p ~ Beta(alpha, beta),
 * θ ~ Beta(gamma, delta), or θ = theta for everyone (BgbbHomogeneousParams); at each opportunity
 * 1..n the customer first dies with probability θ (for good), else transacts with probability p.
 */
export function simulateBgbb(params: BgbbParams, options: OpportunitySimulationOptions): SummaryRow[] {
  const { alpha, beta } = params;
  const draws = new Random(options.seed);
  const rows: SummaryRow[] = [];
  for (let i = 0; i < options.customers; i++) {
    const n = options.minN + Math.floor(draws.next() * (options.maxN - options.minN + 1));
    const p = draws.beta(alpha, beta);
    const theta = 'theta' in params ? params.theta : draws.beta(params.gamma, params.delta);
    let x = 0;
    let tx = 0;
    for (let t = 1; t <= n; t++) {
      if (draws.next() < theta) break;
      if (draws.next() < p) {
        x++;
        tx = t;
      }
    }
    rows.push({ x, tx, T: n });
  }
  return rows;
}
