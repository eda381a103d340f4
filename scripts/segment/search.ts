import { UsageError } from '../core/errors.ts';
import { DEFAULT_RESTARTS, canonicalOrder, fitSegments, type FitOptions, type SegmentFit } from './fit.ts';
import { kmeansFrom, kmeansRestarts } from './kmeans.ts';
import { deriveSeed, sampleIndices } from './random.ts';

/** Candidate k are compared on a seeded subsample of at most this many points of the sample. */
export const SEARCH_SAMPLE = 2000;
/** k-means++ restarts per candidate k during the search. */
export const SEARCH_RESTARTS = 3;

export interface SearchOptions extends FitOptions {
  /** points the candidates are measured on; default 2,000, at most 5,000 (the silhouette is O(n²)) */
  readonly searchSample?: number;
  /** restarts per candidate; default 3 */
  readonly searchRestarts?: number;
}

/** A fit whose k was chosen on a subsample; `candidates` hold the subsample's metrics. */
export interface SearchedFit extends SegmentFit {
  readonly searchSampleSize: number;
  readonly searchRestarts: number;
}

/**
 * Two-stage fit, for speed (docs/segments.md §4, "The search"): choose k with `fitSegments` on a
 * seeded subsample of at most `searchSample` points and `searchRestarts` restarts per k (the same
 * rule, `chooseK`, on cheaper estimates), then fit only the chosen k on every point, by ml-kmeans:
 * the search's centres for that k refined on every point (`kmeansFrom`) and `restarts` (default
 * 10) seeded k-means++ restarts (`kmeansRestarts`); the lowest inertia is kept, the refined search
 * centres on a tie, so the final fit is never worse than what the search found. With `k` set the
 * search measures that one k, so it is still recorded.
 *
 * The final centres are listed largest segment first, as `fitSegments` lists them. The whole
 * result is a function of the points and `seed`.
 *
 * @example
 * const fit = searchSegments(points, { seed: 42, kRange: [3, 8], restarts: 10 });
 */
export function searchSegments(points: readonly (readonly number[])[], options: SearchOptions): SearchedFit {
  const { seed, restarts = DEFAULT_RESTARTS, searchSample = SEARCH_SAMPLE, searchRestarts = SEARCH_RESTARTS } = options;
  if (!Number.isInteger(searchSample) || searchSample < 2 || searchSample > 5000) {
    throw new UsageError(`the segment search sample must be an integer from 2 to 5,000, got ${searchSample}`);
  }
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new UsageError(`segment restarts must be a positive integer, got ${restarts}`);
  }
  // fitSegments checks the seed, k, the range and the points
  const indices = sampleIndices(points.length, searchSample, deriveSeed(seed, 0, 2));
  const search = fitSegments(indices.map((i) => points[i]!), { ...options, restarts: searchRestarts });
  const refined = kmeansFrom(points, search.centres);
  const restarted = kmeansRestarts(points, search.k, restarts, seed).best;
  const final = canonicalOrder(restarted.inertia < refined.inertia ? restarted : refined);
  return {
    k: search.k,
    centres: final.centres,
    candidates: search.candidates,
    inertia: final.inertia,
    restarts,
    seed,
    sizes: final.sizes,
    labels: final.labels,
    searchSampleSize: indices.length,
    searchRestarts,
  };
}

