import { linearSumAssignment } from 'linear-sum-assignment';
import { distance, type Vector } from './vector.ts';

/** A centre published by an earlier build, with the id it was published under. */
export interface PreviousCentre {
  readonly id: number;
  readonly centre: Vector;
}

/** Centres closer than this (in standard units) are the same segment. */
export const DEFAULT_MATCH_THRESHOLD = 0.5;

/**
 * Segment ids for new centres, kept stable across builds: new centres are paired with the
 * previously published ones by the Hungarian method (a minimum-total-distance one-to-one
 * assignment on Euclidean distance; linear-sum-assignment's Jonker–Volgenant solver, which also
 * takes rectangular matrices when k changed). A new centre keeps its partner's id when their
 * distance is below `threshold`; every other new centre gets a fresh id, max previous id + 1,
 * + 2, … in the order of `newCentres`. Ids are never reused for a different segment.
 *
 * The previous centres must be in THIS build's standardised space: the mean and sd are refitted
 * each build, so store published centres in original units (`inverseTransform`) and re-apply
 * the new transform (`applyTransform`) before matching. Previous centres with a different number
 * of features (the feature set changed) match nothing.
 *
 * Without previous centres the ids are 1..k in the order of `newCentres`.
 *
 * @example matchSegmentIds([[5, 5], [0, 0]], [{ id: 7, centre: [0, 0.1] }, { id: 9, centre: [5, 5] }]) // [9, 7]
 */
export function matchSegmentIds(
  newCentres: readonly Vector[],
  previous: readonly PreviousCentre[] | undefined,
  threshold: number = DEFAULT_MATCH_THRESHOLD,
): number[] {
  const old = previous ?? [];
  let nextId = old.reduce((max, p) => Math.max(max, p.id), 0) + 1;
  const dims = newCentres[0]?.length;
  const comparable = old.filter((p) => p.centre.length === dims);
  const partner = partners(newCentres, comparable);
  return newCentres.map((centre, i) => {
    const p = partner[i];
    if (p !== undefined && distance(centre, p.centre) < threshold) return p.id;
    return nextId++;
  });
}

/** The previous centre assigned to each new centre, if any. */
function partners(newCentres: readonly Vector[], old: readonly PreviousCentre[]): (PreviousCentre | undefined)[] {
  if (newCentres.length === 0 || old.length === 0) return newCentres.map(() => undefined);
  const cost = newCentres.map((c) => old.map((p) => distance(c, p.centre)));
  // the package maximises unless told otherwise
  const { rowAssignments } = linearSumAssignment(cost, { maximaze: false });
  return newCentres.map((_, i) => {
    const j = rowAssignments[i]!;
    return j >= 0 ? old[j] : undefined;
  });
}
