import { StrataError } from '../core/errors.ts';
import { distance, type Vector } from './vector.ts';

/**
 * Mean silhouette coefficient with Euclidean distance (Rousseeuw 1987), as scikit-learn's
 * `silhouette_score`: for each point, a = mean distance to the other members of its cluster,
 * b = the lowest mean distance to the members of another cluster, s = (b - a) / max(a, b);
 * a point alone in its cluster scores 0. Ranges from -1 to 1; higher means tighter, better
 * separated clusters.
 *
 * O(n²): callers pass a subsample (`fitSegments` uses at most 5,000 points). Returns 0 when
 * fewer than two clusters are present, where the coefficient is undefined.
 *
 * @example silhouette([[-3], [3], [5]], [0, 1, 1]) // (0 + 2/3 + 3/4) / 3 = 0.4722…
 */
export function silhouette(points: readonly Vector[], labels: readonly number[]): number {
  if (points.length !== labels.length) {
    throw new StrataError(`silhouette: ${points.length} points but ${labels.length} labels`);
  }
  const clusters = [...new Set(labels)].sort((x, y) => x - y);
  if (clusters.length < 2) return 0;
  const slot = new Map(clusters.map((c, i) => [c, i]));
  const k = clusters.length;
  const n = points.length;
  const slots = labels.map((l) => slot.get(l)!);
  const sizes = new Array<number>(k).fill(0);
  for (const s of slots) sizes[s]!++;
  // sums[i * k + c]: total distance from point i to the members of cluster c; each pair once
  const sums = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = distance(points[i]!, points[j]!);
      sums[i * k + slots[j]!]! += d;
      sums[j * k + slots[i]!]! += d;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = slots[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[i * k + own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      if (c !== own) b = Math.min(b, sums[i * k + c]! / sizes[c]!);
    }
    const scale = Math.max(a, b);
    total += scale > 0 ? (b - a) / scale : 0;
  }
  return total / n;
}
