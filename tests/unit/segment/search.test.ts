import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import { adjustedRandIndex } from '../../../scripts/segment/ari.ts';
import { evaluate } from '../../../scripts/segment/kmeans.ts';
import { SEARCH_SAMPLE, searchSegments } from '../../../scripts/segment/search.ts';
import { blobs, uniform } from './synthetic.ts';

/** five blobs 8 sds apart in 7 dimensions, 3,000 points: more than the search subsample */
const fiveCentres = [0, 1, 2, 3, 4].map((b) => Array.from({ length: 7 }, (_, d) => (d === b ? 8 : 0)));
const five = blobs(fiveCentres, 600, 13);

describe('searchSegments', () => {
  const fit = searchSegments(five.points, { seed: 42 });

  it('chooses k on a subsample of at most 2,000 points with 3 restarts per k', () => {
    expect(fit.k).toBe(5);
    expect(fit.searchSampleSize).toBe(SEARCH_SAMPLE);
    expect(fit.searchRestarts).toBe(3);
    expect(fit.candidates.map((c) => c.k)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(fit.candidates.filter((c) => c.chosen).map((c) => c.k)).toEqual([5]);
  });

  it('fits the chosen k on every point with 10 restarts, largest segment first', () => {
    expect(fit.restarts).toBe(10);
    expect(fit.labels).toHaveLength(3000);
    expect(adjustedRandIndex(fit.labels, five.truth)).toBe(1);
    expect(fit.sizes).toEqual([600, 600, 600, 600, 600]);
    expect(evaluate(five.points, fit.centres, 0).inertia).toBeCloseTo(fit.inertia, 6);
  });

  it('lists centres largest first and labels them accordingly', () => {
    const points = [...blobs([[0, 0]], 300, 1).points, ...blobs([[20, 0]], 100, 2).points, ...blobs([[0, 20]], 200, 3).points];
    const small = searchSegments(points, { seed: 1, k: 3 });
    expect(small.sizes).toEqual([300, 200, 100]);
    expect(small.centres[0]![0]).toBeCloseTo(0, 0);
    expect(small.centres[1]![1]).toBeCloseTo(20, 0);
    expect(small.labels.filter((l) => l === 0)).toHaveLength(300);
  });

  it('with k fixed measures and records that one k', () => {
    const fixed = searchSegments(five.points, { seed: 42, k: 4 });
    expect(fixed.k).toBe(4);
    expect(fixed.centres).toHaveLength(4);
    expect(fixed.candidates).toHaveLength(1);
    expect(fixed.candidates[0]).toMatchObject({ k: 4, chosen: true });
  });

  it('uses every point for the search when there are fewer than the subsample size', () => {
    const points = uniform(300, 3, 4);
    const small = searchSegments(points, { seed: 3, kRange: [3, 4] });
    expect(small.searchSampleSize).toBe(300);
  });

  it('is a function of the points and the seed', () => {
    const points = uniform(800, 4, 8);
    const a = searchSegments(points, { seed: 5, kRange: [3, 5], searchSample: 500 });
    expect(a.searchSampleSize).toBe(500);
    expect(searchSegments(points, { seed: 5, kRange: [3, 5], searchSample: 500 })).toEqual(a);
  });

  it('refuses a search subsample above 5,000 and a bad restart count', () => {
    expect(() => searchSegments(five.points, { seed: 1, searchSample: 5001 })).toThrow(UsageError);
    expect(() => searchSegments(five.points, { seed: 1, restarts: 0 })).toThrow(UsageError);
  });
});
