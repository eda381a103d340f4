import { StrataError } from '../core/errors.ts';
import { distance, labelMeans, type Vector } from './vector.ts';

/**
 * Davies–Bouldin index (1979) with Euclidean distance, as scikit-learn's
 * `davies_bouldin_score`: S_i = mean distance of cluster i's points to its centroid (the mean of
 * its points), M_ij = distance between centroids, DB = mean over clusters of
 * max_{j≠i} (S_i + S_j) / M_ij. Lower is better; 0 for fewer than two non-empty clusters.
 * Labels are 0..k-1. Two clusters with the same centroid make it Infinity (they are not separated at all).
 *
 * @example daviesBouldin([[0], [2], [10], [14]], [0, 0, 1, 1]) // ((1 + 2) / 11 + (2 + 1) / 11) / 2 = 3/11
 */
export function daviesBouldin(points: readonly Vector[], labels: readonly number[]): number {
  if (points.length !== labels.length) {
    throw new StrataError(`daviesBouldin: ${points.length} points but ${labels.length} labels`);
  }
  const k = labels.reduce((max, l) => Math.max(max, l + 1), 0);
  const centroids = labelMeans(points, labels, k);
  const scatterSum = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  points.forEach((p, i) => {
    const label = labels[i]!;
    scatterSum[label]! += distance(p, centroids[label]!);
    counts[label]!++;
  });
  const present = centroids.flatMap((c, i) => (c ? [{ centroid: c, scatter: scatterSum[i]! / counts[i]! }] : []));
  if (present.length < 2) return 0;
  let total = 0;
  for (const [i, ci] of present.entries()) {
    let worst = 0;
    for (const [j, cj] of present.entries()) {
      if (i === j) continue;
      const separation = distance(ci.centroid, cj.centroid);
      const ratio = separation > 0 ? (ci.scatter + cj.scatter) / separation : Infinity;
      worst = Math.max(worst, ratio);
    }
    total += worst;
  }
  return total / present.length;
}
