import { StrataError, UsageError } from '../core/errors.ts';
import { chooseK, type KCandidate } from './choose-k.ts';
import { daviesBouldin } from './davies-bouldin.ts';
import { kmeansRestarts, type KmeansRun } from './kmeans.ts';
import { deriveSeed, sampleIndices } from './random.ts';
import { silhouette } from './silhouette.ts';
import type { Vector } from './vector.ts';

export type { KCandidate } from './choose-k.ts';

/** The fitted segments in standardised space, and how k was chosen. */
export interface SegmentFit {
  readonly k: number;
  /**
   * k centres in standardised space, largest segment first (ties: lexicographically smaller
   * centre first), so that a first build numbers its segments by size.
   */
  readonly centres: readonly (readonly number[])[];
  /** every k tried, in increasing k, with its metrics; exactly one has `chosen` */
  readonly candidates: readonly KCandidate[];
  readonly inertia: number;
  readonly restarts: number;
  readonly seed: number;
  /** points of the fitted sample in each segment, aligned with `centres` */
  readonly sizes: readonly number[];
  /** the index into `centres` of every fitted point */
  readonly labels: readonly number[];
}

export interface FitOptions {
  /** a fixed number of segments (`segment_k`); when absent k is chosen from `kRange` */
  readonly k?: number;
  /** inclusive range of k to choose from; default [3, 8] */
  readonly kRange?: readonly [number, number];
  /** k-means++ restarts per k, keeping the lowest inertia; default 10 */
  readonly restarts?: number;
  /** an integer; the same seed and points give identical results */
  readonly seed: number;
}

export const DEFAULT_K_RANGE: readonly [number, number] = [3, 8];
export const DEFAULT_RESTARTS = 10;
/** Silhouette is O(n²): it is measured on a seeded subsample of at most this many points. */
export const SILHOUETTE_SAMPLE = 5000;

/**
 * Fits k-means segments to standardised points (`applyTransform` of a deterministic sample of
 * at most 50,000 customers: the caller samples by a hash of customer_id, so the sample does not
 * depend on row order or on the day's new customers beyond their own rows).
 *
 * For each candidate k: `kmeansRestarts` (k-means++, `restarts` seeded restarts, lowest inertia
 * kept), then inertia, Davies–Bouldin and smallest-segment share on all points and mean
 * silhouette on a seeded subsample of at most 5,000 points, the same subsample for every k.
 * k is then picked by `chooseK` (see there and docs/segments.md), unless `options.k` fixes it.
 *
 * Throws UsageError for a k or range that the data cannot support (k < 2, or more segments than
 * distinct points), and for a non-integer seed.
 *
 * @example
 * const t = fitTransform(rows, features);
 * const fit = fitSegments(rows.map((r) => applyTransform(t, r)), { seed: 42 });
 */
export function fitSegments(points: readonly Vector[], options: FitOptions): SegmentFit {
  const { seed, restarts = DEFAULT_RESTARTS } = options;
  if (!Number.isInteger(seed)) throw new UsageError(`segment seed must be an integer, got ${seed}`);
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new UsageError(`segment restarts must be a positive integer, got ${restarts}`);
  }
  checkPoints(points);
  const ks = candidateKs(points, options);
  const silhouetteIndices = sampleIndices(points.length, SILHOUETTE_SAMPLE, deriveSeed(seed, 0, 1));
  const silhouettePoints = silhouetteIndices.map((i) => points[i]!);

  const runs = new Map<number, KmeansRun>();
  const measured = ks.map((k) => {
    const run = canonicalOrder(kmeansRestarts(points, k, restarts, seed).best);
    runs.set(k, run);
    return {
      k,
      inertia: run.inertia,
      silhouette: silhouette(silhouettePoints, silhouetteIndices.map((i) => run.labels[i]!)),
      daviesBouldin: daviesBouldin(points, run.labels),
      smallestShare: Math.min(...run.sizes) / points.length,
    };
  });
  const k = ks.length === 1 ? ks[0]! : chooseK(measured);
  const chosen = runs.get(k)!;
  return {
    k,
    centres: chosen.centres,
    candidates: measured.map((c) => ({ ...c, chosen: c.k === k })),
    inertia: chosen.inertia,
    restarts,
    seed,
    sizes: chosen.sizes,
    labels: chosen.labels,
  };
}

function candidateKs(points: readonly Vector[], options: FitOptions): number[] {
  const distinct = new Set(points.map((p) => p.join(','))).size;
  if (options.k !== undefined) {
    const k = options.k;
    if (!Number.isInteger(k) || k < 2) throw new UsageError(`segment_k must be an integer of at least 2, got ${k}`);
    if (k > distinct) {
      throw new UsageError(`segment_k is ${k} but the fitted sample has only ${distinct} distinct customers' feature vectors`);
    }
    return [k];
  }
  const [low, high] = options.kRange ?? DEFAULT_K_RANGE;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 2 || high < low) {
    throw new UsageError(`segment k range must be two integers 2 <= low <= high, got [${low}, ${high}]`);
  }
  // more segments than distinct points cannot be fitted (k-means++ has nothing left to pick)
  const top = Math.min(high, distinct);
  if (top < low) {
    throw new UsageError(`segment k range [${low}, ${high}] needs at least ${low} distinct feature vectors; the fitted sample has ${distinct}`);
  }
  return Array.from({ length: top - low + 1 }, (_, i) => low + i);
}

/** Reorders a run's centres: largest segment first, then by coordinates, so ids start stable. */
export function canonicalOrder(run: KmeansRun): KmeansRun {
  const order = run.centres
    .map((centre, index) => ({ centre, index, size: run.sizes[index]! }))
    .sort((a, b) => b.size - a.size || compareVectors(a.centre, b.centre));
  const rank = new Array<number>(order.length);
  order.forEach((o, r) => (rank[o.index] = r));
  return {
    ...run,
    centres: order.map((o) => o.centre),
    sizes: order.map((o) => o.size),
    labels: run.labels.map((l) => rank[l]!),
  };
}

function checkPoints(points: readonly Vector[]): void {
  const dims = points[0]?.length;
  if (dims === undefined) throw new StrataError('cannot fit segments: no customers in the fitted sample');
  points.forEach((p, i) => {
    if (p.length !== dims || !p.every(Number.isFinite)) {
      throw new StrataError(`cannot fit segments: point ${i} is not a finite vector of ${dims} features: [${p.join(', ')}]`);
    }
  });
}

function compareVectors(a: Vector, b: Vector): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}
