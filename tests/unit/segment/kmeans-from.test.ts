import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../scripts/core/errors.ts';
import { adjustedRandIndex } from '../../../scripts/segment/ari.ts';
import { fitSegments } from '../../../scripts/segment/fit.ts';
import { evaluate, kmeansFrom, kmeansRestarts } from '../../../scripts/segment/kmeans.ts';
import { deriveSeed, sampleIndices } from '../../../scripts/segment/random.ts';
import { searchSegments } from '../../../scripts/segment/search.ts';
import { labelMeans } from '../../../scripts/segment/vector.ts';
import { blobs, uniform } from './synthetic.ts';

const fourCentres = [0, 1, 2, 3].map((b) => Array.from({ length: 7 }, (_, d) => (d === b ? 8 : 0)));
const four = blobs(fourCentres, 150, 11);

describe('kmeansFrom (ml-kmeans from given centres)', () => {
  it('refines centres found on a subsample into the blobs of every point', () => {
    const sub = sampleIndices(four.points.length, 100, 3).map((i) => four.points[i]!);
    const run = kmeansFrom(four.points, fitSegments(sub, { seed: 1, k: 4, restarts: 3 }).centres);
    expect(adjustedRandIndex(run.labels, four.truth)).toBe(1);
    expect([...run.sizes].sort()).toEqual([150, 150, 150, 150]);
    expect(run.inertia).toBeCloseTo(kmeansRestarts(four.points, 4, 5, 42).best.inertia, 6);
    expect(run.seed).toBeNull();
  });

  it('stops at a fixed point of Lloyd: every centre is (within tolerance) the mean of its points', () => {
    const points = uniform(800, 3, 9);
    const run = kmeansFrom(points, points.slice(0, 5));
    const means = labelMeans(points, run.labels, 5);
    run.centres.forEach((centre, c) => {
      const moved = Math.hypot(...centre.map((x, d) => x - means[c]![d]!));
      expect(moved).toBeLessThan(0.01);
    });
    expect(evaluate(points, run.centres, null).inertia).toBeCloseTo(run.inertia, 9);
  });

  it('refuses more centres than points', () => {
    expect(() => kmeansFrom([[0], [1]], [[0], [1], [2]])).toThrow(StrataError);
  });
});

describe('searchSegments final fit', () => {
  // uniform data has no true clusters: the refined search centres and the restarts end in
  // different local optima, and the final fit must keep the better one
  const points = uniform(3000, 4, 21);
  const fit = searchSegments(points, { seed: 42, k: 6, restarts: 10 });

  it('is no worse than the search centres refined on every point, nor than any restart', () => {
    // the search's subsample and its centres for k = 6, as searchSegments draws them
    const sub = sampleIndices(points.length, 2000, deriveSeed(42, 0, 2)).map((i) => points[i]!);
    const refined = kmeansFrom(points, fitSegments(sub, { seed: 42, k: 6, restarts: 3 }).centres).inertia;
    const { inertias } = kmeansRestarts(points, 6, 10, 42);
    expect(fit.inertia).toBe(Math.min(refined, ...inertias));
    expect(evaluate(points, fit.centres, null).inertia).toBeCloseTo(fit.inertia, 9);
  });

  it('on unstructured data finds as good a solution as 10 ml-kmeans restarts on every point (within 1%)', () => {
    const reference = kmeansRestarts(points, 6, 10, 7).best.inertia;
    expect(Math.abs(fit.inertia - reference) / reference).toBeLessThan(0.01);
  });
});
