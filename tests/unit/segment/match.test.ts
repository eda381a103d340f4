import { describe, expect, it } from 'vitest';
import { matchSegmentIds } from '../../../scripts/segment/match.ts';

const previous = [
  { id: 3, centre: [0, 0, 0] },
  { id: 5, centre: [4, 0, 0] },
  { id: 8, centre: [0, 4, 0] },
];

describe('matchSegmentIds', () => {
  it('numbers a first build 1..k in centre order', () => {
    expect(matchSegmentIds([[1], [2], [3]], undefined)).toEqual([1, 2, 3]);
    expect(matchSegmentIds([[1], [2]], [])).toEqual([1, 2]);
  });

  it('keeps the ids of permuted, slightly moved centres', () => {
    const moved = [[0.1, 4.1, 0], [0, -0.2, 0.1], [3.9, 0, 0.2]];
    expect(matchSegmentIds(moved, previous)).toEqual([8, 3, 5]);
  });

  it('gives a new far centre a new id after the highest old one', () => {
    const grown = [[4, 0, 0], [9, 9, 9], [0, 0, 0], [0, 4, 0]];
    expect(matchSegmentIds(grown, previous)).toEqual([5, 9, 3, 8]);
  });

  it('gives a centre that moved past the threshold a new id, and honours the threshold', () => {
    const shifted = [[0, 0, 0], [4.6, 0, 0], [0, 4, 0]];
    expect(matchSegmentIds(shifted, previous)).toEqual([3, 9, 8]);
    expect(matchSegmentIds(shifted, previous, 1)).toEqual([3, 5, 8]);
  });

  it('lets an old id lapse when k shrinks', () => {
    expect(matchSegmentIds([[0, 4, 0], [4, 0, 0]], previous)).toEqual([8, 5]);
  });

  it('assigns one-to-one where nearest-centre lookup would give two centres the same id', () => {
    // both new centres are nearest to id 1; the optimal pairing gives the second id 2
    const old = [{ id: 1, centre: [0.1, 0] }, { id: 2, centre: [0.4, 0] }];
    expect(matchSegmentIds([[0, 0], [0.2, 0]], old)).toEqual([1, 2]);
  });

  it('matches nothing when the feature set changed', () => {
    expect(matchSegmentIds([[0, 0], [4, 0]], previous)).toEqual([9, 10]);
  });
});
