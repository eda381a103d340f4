import { describe, expect, it } from 'vitest';
import { chooseK } from '../../../scripts/segment/choose-k.ts';

const candidate = (k: number, silhouette: number, daviesBouldin: number, smallestShare = 0.1) => ({
  k,
  inertia: 1000 / k,
  silhouette,
  daviesBouldin,
  smallestShare,
});

describe('chooseK', () => {
  it('picks the highest silhouette', () => {
    expect(chooseK([candidate(3, 0.3, 1), candidate(4, 0.5, 1.2), candidate(5, 0.4, 0.9)])).toBe(4);
  });

  it('discards candidates whose smallest segment is under 2% of customers', () => {
    expect(chooseK([candidate(3, 0.3, 1), candidate(4, 0.5, 0.5, 0.019), candidate(5, 0.4, 0.9, 0.02)])).toBe(5);
  });

  it('breaks silhouette ties within 0.01 by the lower Davies–Bouldin', () => {
    expect(chooseK([candidate(3, 0.5, 0.8), candidate(4, 0.495, 0.7), candidate(5, 0.489, 0.1)])).toBe(4);
  });

  it('then by the smaller k', () => {
    expect(chooseK([candidate(6, 0.5, 0.7), candidate(4, 0.505, 0.7), candidate(5, 0.2, 0.1)])).toBe(4);
  });

  it('drops the size floor when no candidate meets it', () => {
    expect(chooseK([candidate(3, 0.3, 1, 0.01), candidate(4, 0.5, 1, 0.001)])).toBe(4);
  });
});
