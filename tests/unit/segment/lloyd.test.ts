import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../scripts/core/errors.ts';
import { adjustedRandIndex } from '../../../scripts/segment/ari.ts';
import { evaluate, kmeansRestarts } from '../../../scripts/segment/kmeans.ts';
import { lloydRestarts } from '../../../scripts/segment/lloyd.ts';
import { labelMeans } from '../../../scripts/segment/vector.ts';
import { blobs, uniform } from './synthetic.ts';

const fourCentres = [0, 1, 2, 3].map((b) => Array.from({ length: 7 }, (_, d) => (d === b ? 8 : 0)));
const four = blobs(fourCentres, 150, 11);

describe('lloydRestarts', () => {
  it('recovers well-separated blobs with the same inertia as kmeansRestarts (ml-kmeans)', () => {
    const fast = lloydRestarts(four.points, 4, 5, 42).best;
    const reference = kmeansRestarts(four.points, 4, 5, 42).best;
    expect(adjustedRandIndex(fast.labels, four.truth)).toBe(1);
    expect(fast.sizes).toEqual([150, 150, 150, 150]);
    expect(fast.inertia).toBeCloseTo(reference.inertia, 6);
  });

  it('stops at a fixed point of Lloyd: every centre is (within tolerance) the mean of its points', () => {
    const points = uniform(800, 3, 9);
    const run = lloydRestarts(points, 5, 3, 1).best;
    const means = labelMeans(points, run.labels, 5);
    run.centres.forEach((centre, c) => {
      const moved = Math.hypot(...centre.map((x, d) => x - means[c]![d]!));
      expect(moved).toBeLessThan(0.01);
    });
  });

  it('keeps the lowest-inertia restart and reports every restart', () => {
    const points = uniform(500, 4, 3);
    const result = lloydRestarts(points, 6, 8, 7);
    expect(result.inertias).toHaveLength(8);
    expect(result.best.inertia).toBe(Math.min(...result.inertias));
    expect(evaluate(points, result.best.centres, 0).inertia).toBeCloseTo(result.best.inertia, 9);
  });

  it('on unstructured data finds as good a solution as ml-kmeans (within 1%)', () => {
    const points = uniform(1000, 7, 21);
    const fast = lloydRestarts(points, 6, 10, 42).best.inertia;
    const reference = kmeansRestarts(points, 6, 10, 42).best.inertia;
    expect(Math.abs(fast - reference) / reference).toBeLessThan(0.01);
  });

  it('is a function of the seed', () => {
    const points = uniform(400, 3, 5);
    expect(lloydRestarts(points, 4, 3, 9)).toEqual(lloydRestarts(points, 4, 3, 9));
    expect(lloydRestarts(points, 4, 3, 9).best.seed).not.toBe(lloydRestarts(points, 4, 3, 10).best.seed);
  });

  it('refuses more segments than points', () => {
    expect(() => lloydRestarts([[0], [1]], 3, 1, 1)).toThrow(StrataError);
  });
});
