/** The metrics recorded for every candidate number of segments. */
export interface KCandidate {
  readonly k: number;
  /** within-cluster sum of squares on the fitted sample (always falls as k grows; recorded for an elbow plot) */
  readonly inertia: number;
  /** mean silhouette on the silhouette subsample; higher is better */
  readonly silhouette: number;
  /** Davies–Bouldin index on the fitted sample; lower is better */
  readonly daviesBouldin: number;
  /** the smallest segment's share of the fitted sample, 0..1 */
  readonly smallestShare: number;
  readonly chosen: boolean;
}

/** A segment smaller than this share of customers is too small to act on. */
export const MIN_SEGMENT_SHARE = 0.02;
/** Silhouettes closer than this are a tie; a subsample estimate is not more precise. */
export const SILHOUETTE_TIE = 0.01;

/**
 * The k rule (also in docs/segments.md):
 *
 * 1. Discard candidates whose smallest segment holds less than 2% of customers
 *    (`MIN_SEGMENT_SHARE`). If that discards every candidate, keep them all: a data set full
 *    of outliers still gets segments, and the recorded shares show why.
 * 2. Among the rest, take those whose mean silhouette is within 0.01 (`SILHOUETTE_TIE`) of the
 *    best silhouette.
 * 3. Of those, pick the lowest Davies–Bouldin index; on an exact tie, the smaller k.
 *
 * Inertia is recorded but not used: it decreases with every added segment, so it cannot pick
 * k on its own, and the silhouette already weighs cohesion against separation.
 *
 * Returns the chosen k; `candidates` must not be empty.
 */
export function chooseK(candidates: readonly Omit<KCandidate, 'chosen'>[]): number {
  const bigEnough = candidates.filter((c) => c.smallestShare >= MIN_SEGMENT_SHARE);
  const pool = bigEnough.length > 0 ? bigEnough : candidates;
  const bestSilhouette = Math.max(...pool.map((c) => c.silhouette));
  const tied = pool.filter((c) => c.silhouette >= bestSilhouette - SILHOUETTE_TIE);
  const [winner] = [...tied].sort((x, y) => x.daviesBouldin - y.daviesBouldin || x.k - y.k);
  return winner!.k;
}
