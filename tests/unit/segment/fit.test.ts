import { kmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import { adjustedRandIndex } from '../../../scripts/segment/ari.ts';
import { fitSegments } from '../../../scripts/segment/fit.ts';
import { evaluate, kmeansRestarts } from '../../../scripts/segment/kmeans.ts';
import { deriveSeed } from '../../../scripts/segment/random.ts';
import { blobs, uniform } from './synthetic.ts';

/** four blobs 8 sds apart in 7 dimensions, like 7 standardised customer features */
const fourCentres = [0, 1, 2, 3].map((b) => Array.from({ length: 7 }, (_, d) => (d === b ? 8 : 0)));
const four = blobs(fourCentres, 150, 11);

describe('fitSegments on four well-separated blobs', () => {
  const fit = fitSegments(four.points, { seed: 42 });

  it('chooses k = 4 and records every candidate of the default range 3..8', () => {
    expect(fit.k).toBe(4);
    expect(fit.candidates.map((c) => c.k)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(fit.candidates.filter((c) => c.chosen).map((c) => c.k)).toEqual([4]);
    const chosen = fit.candidates.find((c) => c.chosen)!;
    expect(chosen.silhouette).toBeGreaterThan(0.6);
    expect(chosen.daviesBouldin).toBe(Math.min(...fit.candidates.map((c) => c.daviesBouldin)));
    expect(chosen.smallestShare).toBe(0.25);
    expect(chosen.inertia).toBe(fit.inertia);
    for (const c of fit.candidates) expect(c.silhouette).toBeLessThanOrEqual(chosen.silhouette);
  });

  it('recovers the blobs exactly, with centres near the true ones', () => {
    expect(fit.sizes).toEqual([150, 150, 150, 150]);
    expect(adjustedRandIndex(fit.labels, four.truth)).toBe(1);
    for (const centre of fit.centres) {
      const nearest = Math.min(...fourCentres.map((t) => Math.hypot(...t.map((x, d) => x - centre[d]!))));
      expect(nearest).toBeLessThan(0.5);
    }
  });

  it('reports restarts, seed and inertia consistent with its centres', () => {
    expect(fit.restarts).toBe(10);
    expect(fit.seed).toBe(42);
    expect(evaluate(four.points, fit.centres, 0).inertia).toBeCloseTo(fit.inertia, 9);
  });
});

describe('determinism', () => {
  it('gives identical centres, candidates and labels for the same seed', () => {
    const points = uniform(300, 3, 5);
    const a = fitSegments(points, { seed: 7, kRange: [3, 5], restarts: 4 });
    const b = fitSegments(points, { seed: 7, kRange: [3, 5], restarts: 4 });
    expect(b.centres).toEqual(a.centres);
    expect(b.candidates).toEqual(a.candidates);
    expect(b.labels).toEqual(a.labels);
  });

  it('derives distinct, stable restart seeds from the base seed', () => {
    expect(deriveSeed(42, 4, 0)).toBe(deriveSeed(42, 4, 0));
    const seeds = new Set([0, 1, 2, 3, 4].flatMap((r) => [deriveSeed(42, 4, r), deriveSeed(42, 5, r), deriveSeed(43, 4, r)]));
    expect(seeds.size).toBe(15);
  });
});

describe('restarts', () => {
  // uniform data has no true clusters, so different starts end in different local optima
  const points = uniform(400, 2, 3);

  it('keep the restart with the lowest inertia', () => {
    const { best, inertias } = kmeansRestarts(points, 6, 10, 99);
    expect(inertias).toHaveLength(10);
    expect(new Set(inertias.map((x) => x.toFixed(6))).size).toBeGreaterThan(1);
    expect(best.inertia).toBe(Math.min(...inertias));
    expect(best.seed).toBe(deriveSeed(99, 6, inertias.indexOf(best.inertia)));
  });

  it('record each restart as the ml-kmeans run of its derived seed', () => {
    const { inertias } = kmeansRestarts(points, 6, 3, 99);
    inertias.forEach((inertia, r) => {
      const run = kmeans(points, 6, { initialization: 'kmeans++', seed: deriveSeed(99, 6, r), maxIterations: 300 });
      expect(evaluate(points, run.centroids, 0).inertia).toBe(inertia);
    });
  });

  it('make fitSegments no worse than any single restart', () => {
    const fit = fitSegments(points, { seed: 99, k: 6, restarts: 10 });
    const { inertias } = kmeansRestarts(points, 6, 10, 99);
    expect(fit.inertia).toBeCloseTo(Math.min(...inertias), 9);
    expect(fit.candidates).toEqual([expect.objectContaining({ k: 6, chosen: true })]);
  });
});

describe('fitSegments order and limits', () => {
  it('lists the largest segment first', () => {
    const big = blobs([[20, 0]], 60, 2).points;
    const mid = blobs([[0, 20]], 30, 3).points;
    const small = blobs([[0, 0]], 10, 4).points;
    const fit = fitSegments([...small, ...mid, ...big], { seed: 1, k: 3, restarts: 3 });
    expect(fit.sizes).toEqual([60, 30, 10]);
    expect(fit.centres[0]![0]).toBeGreaterThan(15);
  });

  it('caps the range at the number of distinct points and refuses impossible settings', () => {
    const points = [[0], [0], [1], [5], [9]];
    expect(fitSegments(points, { seed: 1, kRange: [2, 8], restarts: 2 }).candidates.map((c) => c.k)).toEqual([2, 3, 4]);
    expect(() => fitSegments(points, { seed: 1, k: 5 })).toThrow(UsageError);
    expect(() => fitSegments(points, { seed: 1, k: 1 })).toThrow(/at least 2/);
    expect(() => fitSegments(points, { seed: 1, kRange: [5, 3] })).toThrow(UsageError);
    expect(() => fitSegments(points, { seed: 1.5 })).toThrow(/integer/);
    expect(() => fitSegments([[0], [Number.NaN]], { seed: 1, k: 2 })).toThrow(/not a finite vector/);
  });
});
