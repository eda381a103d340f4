/**
 * Draws customer summaries from the BG/NBD process itself, with a seed: for benchmarks at any
 * scale and for tests that a fit recovers the parameters that generated its data.
 */
import { seededRandom } from '../core/random.ts';
import type { BgParams, SummaryRow } from './types.ts';

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 via the boost G(k+1)·U^(1/k). */
export function gammaVariate(shape: number, random: () => number): number {
  if (shape < 1) return gammaVariate(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

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
  const random = seededRandom(options.seed);
  const step = options.resolution;
  const round = (t: number): number => (step > 0 ? Math.floor(t / step) * step : t);
  const rows: SummaryRow[] = [];
  for (let i = 0; i < options.customers; i++) {
    const T = round(options.minT + random() * (options.maxT - options.minT));
    const lambda = gammaVariate(r, random) / alpha;
    const ga = gammaVariate(a, random);
    const p = ga / (ga + gammaVariate(b, random));
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
