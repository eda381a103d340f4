/**
 * Seeded randomness for the segment fit. Everything random here is a function of the caller's
 * seed, so one seed gives byte-identical segments on every machine.
 */

/** murmur3's 32-bit finaliser: spreads nearby inputs (seed, seed+1, …) over the whole range. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An unsigned 32-bit seed derived from a base seed and a path of small integers, e.g.
 * `deriveSeed(seed, k, restart)`. Different paths give unrelated streams, so adding a
 * restart or a candidate k never changes the others' results.
 */
export function deriveSeed(base: number, ...path: readonly number[]): number {
  let h = fmix32((Math.trunc(base) >>> 0) ^ 0x9e3779b9);
  for (const part of path) h = fmix32((h ^ fmix32(Math.trunc(part) >>> 0)) + 0x9e3779b9);
  return h;
}

import { Random } from '../core/random.ts';

/**
 * At most `size` distinct indices of 0..n-1, chosen uniformly by a seeded partial
 * Fisher–Yates shuffle and returned in ascending order. All of 0..n-1 when n <= size.
 * Uniform rather than every n/size-th row so that an input ordered by, say, sign-up date
 * cannot line up with the stride.
 */
export function sampleIndices(n: number, size: number, seed: number): number[] {
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  const random = new Random(seed);
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, size).sort((a, b) => a - b);
}
