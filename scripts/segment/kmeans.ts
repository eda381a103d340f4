import { kmeans } from 'ml-kmeans';
import { StrataError } from '../core/errors.ts';
import { deriveSeed } from './random.ts';
import { assignLabels, squaredDistance, type Vector } from './vector.ts';

/** One k-means solution, with labels and inertia recomputed against its final centres. */
export interface KmeansRun {
  readonly centres: readonly (readonly number[])[];
  /** index of the nearest centre for every point */
  readonly labels: readonly number[];
  /** sum of squared distances of the points to their nearest centre */
  readonly inertia: number;
  readonly sizes: readonly number[];
  /** the ml-kmeans seed of its k-means++ start; null for a run started from given centres */
  readonly seed: number | null;
}

export interface RestartsResult {
  /** the run with the lowest inertia (the earliest restart on a tie) */
  readonly best: KmeansRun;
  /** inertia of every restart, in restart order */
  readonly inertias: readonly number[];
}

/** Lloyd iterations per ml-kmeans run (it also stops when no centre moves more than 1e-6). */
const MAX_ITERATIONS = 300;

/**
 * k-means++ (ml-kmeans) restarted `restarts` times with seeds `deriveSeed(seed, k, r)`, keeping
 * the lowest inertia. Lloyd's algorithm only finds a local optimum that depends on the initial
 * centres; restarts make a poor one unlikely, and the derived seeds keep the whole search a
 * function of `seed`.
 */
export function kmeansRestarts(points: readonly Vector[], k: number, restarts: number, seed: number): RestartsResult {
  // ml-kmeans does not mutate its input, but its types ask for mutable arrays
  const data = points as number[][];
  let best: KmeansRun | undefined;
  const inertias: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const runSeed = deriveSeed(seed, k, r);
    const result = kmeans(data, k, { initialization: 'kmeans++', seed: runSeed, maxIterations: MAX_ITERATIONS });
    const run = evaluate(points, result.centroids, runSeed);
    inertias.push(run.inertia);
    if (!best || run.inertia < best.inertia) best = run;
  }
  if (!best) throw new StrataError('kmeansRestarts needs at least one restart');
  return { best, inertias };
}

/**
 * ml-kmeans' Lloyd iterations started from given centres, e.g. centres found on a subsample,
 * refined on every point. A centre that loses all its points keeps its place (ml-kmeans' rule).
 */
export function kmeansFrom(points: readonly Vector[], centres: readonly Vector[]): KmeansRun {
  if (centres.length < 1 || centres.length > points.length) {
    throw new StrataError(`k-means needs 1 <= k <= ${points.length} points, got ${centres.length} starting centres`);
  }
  const result = kmeans(points as number[][], centres.length, {
    initialization: centres.map((c) => [...c]),
    maxIterations: MAX_ITERATIONS,
  });
  return evaluate(points, result.centroids, null);
}

/**
 * Labels, inertia and sizes for given centres. ml-kmeans' own `clusters` come from the step
 * before its last centre update, so they are recomputed here against the final centres.
 */
export function evaluate(points: readonly Vector[], centres: readonly Vector[], seed: number | null): KmeansRun {
  const labels = assignLabels(points, centres);
  const sizes = new Array<number>(centres.length).fill(0);
  let inertia = 0;
  points.forEach((p, i) => {
    const label = labels[i]!;
    sizes[label]!++;
    inertia += squaredDistance(p, centres[label]!);
  });
  return { centres: centres.map((c) => [...c]), labels, inertia, sizes, seed };
}
