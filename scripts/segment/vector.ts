/** Small dense-vector helpers shared by the fit, the metrics and the id matcher. */

export type Vector = readonly number[];

/** Sum of squared coordinate differences; the vectors must have the same length. */
export function squaredDistance(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}

/** Euclidean distance. */
export function distance(a: Vector, b: Vector): number {
  return Math.sqrt(squaredDistance(a, b));
}

/**
 * The index of the nearest centre and its squared distance. Ties go to the lower index, the
 * same rule as the SQL (`order by distance, segment_id`) when centres are listed by id.
 */
export function nearestCentre(centres: readonly Vector[], point: Vector): { index: number; squared: number } {
  let index = -1;
  let squared = Infinity;
  for (let c = 0; c < centres.length; c++) {
    const d = squaredDistance(centres[c]!, point);
    if (d < squared) {
      squared = d;
      index = c;
    }
  }
  return { index, squared };
}

/** Label of every point: the index of its nearest centre. */
export function assignLabels(points: readonly Vector[], centres: readonly Vector[]): number[] {
  return points.map((p) => nearestCentre(centres, p).index);
}

/** Mean of the points carrying each label 0..k-1; a label with no points gets `undefined`. */
export function labelMeans(points: readonly Vector[], labels: readonly number[], k: number): (number[] | undefined)[] {
  const dims = points[0]?.length ?? 0;
  const sums = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
  const counts = new Array<number>(k).fill(0);
  points.forEach((p, i) => {
    const label = labels[i]!;
    counts[label]!++;
    const sum = sums[label]!;
    for (let d = 0; d < dims; d++) sum[d]! += p[d]!;
  });
  return sums.map((sum, c) => (counts[c]! > 0 ? sum.map((s) => s / counts[c]!) : undefined));
}
