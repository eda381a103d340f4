import { seededRandom } from '../../../scripts/core/random.ts';

/** A seeded standard normal generator (Box–Muller), for reproducible synthetic clusters. */
export function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * `perBlob` points around each of `centres` with unit spread, interleaved (point i belongs to
 * blob i % centres.length) so that no input order lines up with the truth.
 */
export function blobs(centres: readonly (readonly number[])[], perBlob: number, seed: number): { points: number[][]; truth: number[] } {
  const normal = gaussian(seed);
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < perBlob * centres.length; i++) {
    const blob = i % centres.length;
    points.push(centres[blob]!.map((c) => c + normal()));
    truth.push(blob);
  }
  return { points, truth };
}

/** Uniform points in the unit cube: no true clusters, so k-means has many local optima. */
export function uniform(n: number, dims: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: dims }, () => random()));
}
