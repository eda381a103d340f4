import { StrataError } from '../core/errors.ts';

/**
 * Adjusted Rand index of two partitions of the same items (Hubert & Arabie 1985), as
 * scikit-learn's `adjusted_rand_score`: 1 for identical partitions whatever the label names,
 * about 0 for independent ones, negative when worse than chance. Used to score how well the
 * segments recover the archetypes a synthetic data set was generated from.
 *
 * Both partitions trivial in the same way (one cluster, or all singletons) count as a perfect
 * match (1), as in scikit-learn.
 *
 * @example adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) // 4/7 = 0.5714…
 */
export function adjustedRandIndex(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  if (a.length !== b.length) {
    throw new StrataError(`adjustedRandIndex: partitions of different sizes (${a.length} and ${b.length})`);
  }
  const n = a.length;
  if (n < 2) return 1;
  const cells = new Map<string, number>();
  const rows = new Map<number | string, number>();
  const columns = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // JSON keeps 1 and '1' apart, so mixed label types cannot collide
    const cell = JSON.stringify([x, y]);
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    columns.set(y, (columns.get(y) ?? 0) + 1);
  }
  const index = sumPairs(cells.values());
  const rowPairs = sumPairs(rows.values());
  const columnPairs = sumPairs(columns.values());
  const expected = (rowPairs * columnPairs) / pairs(n);
  const max = (rowPairs + columnPairs) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

function pairs(m: number): number {
  return (m * (m - 1)) / 2;
}

function sumPairs(counts: Iterable<number>): number {
  let sum = 0;
  for (const c of counts) sum += pairs(c);
  return sum;
}
