import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../../scripts/segment/ari.ts';
import { daviesBouldin } from '../../../scripts/segment/davies-bouldin.ts';
import { silhouette } from '../../../scripts/segment/silhouette.ts';

describe('silhouette', () => {
  it('matches a hand computation in one dimension', () => {
    // -3 is alone: 0; 3: a = 2, b = 6, s = 2/3; 5: a = 2, b = 8, s = 3/4
    expect(silhouette([[-3], [3], [5]], [0, 1, 1])).toBeCloseTo(17 / 36, 14);
  });

  it('matches a hand computation in two dimensions, whatever the label values', () => {
    // every point: a = 1 (its partner), b = mean(4, sqrt 17)
    const points = [[0, 0], [0, 1], [4, 0], [4, 1]];
    const b = (4 + Math.sqrt(17)) / 2;
    expect(silhouette(points, [0, 0, 1, 1])).toBeCloseTo(1 - 1 / b, 14);
    expect(silhouette(points, [9, 9, 5, 5])).toBeCloseTo(1 - 1 / b, 14);
  });

  it('is negative for a labelling that splits natural pairs', () => {
    expect(silhouette([[0], [0.1], [10], [10.1]], [0, 1, 0, 1])).toBeLessThan(0);
  });

  it('is 0 with a single cluster', () => {
    expect(silhouette([[0], [1]], [3, 3])).toBe(0);
  });
});

describe('daviesBouldin', () => {
  it('matches a hand computation in one dimension', () => {
    // centroids 1 and 12, scatters 1 and 2: (1 + 2) / 11 for both clusters
    expect(daviesBouldin([[0], [2], [10], [14]], [0, 0, 1, 1])).toBeCloseTo(3 / 11, 14);
  });

  it('matches a hand computation with three clusters, one a singleton', () => {
    // A = {(0,0),(2,0)}: centroid (1,0), S 1; B = {(10,0),(10,4)}: (10,2), S 2; C = {(0,10)}: S 0
    // R_AB = 3/√85, R_AC = 1/√101, R_BC = 2/√164; worst per cluster: A, B → 3/√85, C → 2/√164
    const points = [[0, 0], [2, 0], [10, 0], [10, 4], [0, 10]];
    const expected = (6 / Math.sqrt(85) + 2 / Math.sqrt(164)) / 3;
    expect(expected).toBeCloseTo(0.2689883784481915, 14);
    expect(daviesBouldin(points, [0, 0, 1, 1, 2])).toBeCloseTo(expected, 14);
  });

  it('is 0 for one cluster and Infinity for two clusters on the same centroid', () => {
    expect(daviesBouldin([[1], [2]], [0, 0])).toBe(0);
    expect(daviesBouldin([[0], [2], [1], [1]], [0, 0, 1, 1])).toBe(Infinity);
  });
});

describe('adjustedRandIndex', () => {
  it('is 1 for identical partitions and invariant to renaming labels', () => {
    const a = [0, 0, 1, 1, 2, 2, 2];
    expect(adjustedRandIndex(a, a)).toBe(1);
    expect(adjustedRandIndex(a, [5, 5, 3, 3, 9, 9, 9])).toBe(1);
    expect(adjustedRandIndex(a, ['x', 'x', 'y', 'y', 'z', 'z', 'z'])).toBe(1);
  });

  it('gives the known values of small examples', () => {
    // scikit-learn's documented examples
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 14);
  });

  it('follows the textbook formula on a contingency table', () => {
    //        v1 v2 v3 | a
    //   u1    1  1  0 | 2
    //   u2    1  2  1 | 4
    //   u3    0  0  4 | 4
    //   b     2  3  5 | n = 10
    // Σ C(nij,2) = 7, Σ C(ai,2) = 13, Σ C(bj,2) = 14, C(10,2) = 45
    // ARI = (7 - 13·14/45) / ((13 + 14)/2 - 13·14/45) = 266/851
    const u = [1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
    const v = [1, 2, 1, 2, 2, 3, 3, 3, 3, 3];
    expect(adjustedRandIndex(u, v)).toBeCloseTo(266 / 851, 14);
    expect(adjustedRandIndex(v, u)).toBeCloseTo(266 / 851, 14);
  });

  it('keeps numeric and string labels apart and refuses partitions of different sizes', () => {
    expect(adjustedRandIndex([1, '1', 1, '1'], [0, 1, 0, 1])).toBe(1);
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/different sizes/);
  });
});
