import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../scripts/core/random.ts';
import { sampleIndices } from '../../../scripts/segment/random.ts';

describe('sampleIndices', () => {
  it('takes everything when there are few enough points', () => {
    expect(sampleIndices(4, 5000, 1)).toEqual([0, 1, 2, 3]);
  });

  it('takes a seeded, sorted, duplicate-free subsample spread over the whole input', () => {
    const a = sampleIndices(20_000, 5000, 9);
    expect(a).toEqual(sampleIndices(20_000, 5000, 9));
    expect(a).not.toEqual(sampleIndices(20_000, 5000, 10));
    expect(a).toHaveLength(5000);
    expect(new Set(a).size).toBe(5000);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    // a uniform draw puts about a quarter in each quarter of the input
    for (let q = 0; q < 4; q++) {
      const inQuarter = a.filter((i) => i >= q * 5000 && i < (q + 1) * 5000).length;
      expect(inQuarter).toBeGreaterThan(1150);
      expect(inQuarter).toBeLessThan(1350);
    }
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});
