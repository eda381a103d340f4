import { StrataError } from '../core/errors.ts';
import { evaluate, type KmeansRun, type RestartsResult } from './kmeans.ts';
import { seededRandom } from '../core/random.ts';
import { deriveSeed } from './random.ts';
import type { Vector } from './vector.ts';

/** Lloyd iterations stop when no centre moves more than this (squared), as ml-kmeans' tolerance. */
const TOLERANCE = 1e-6;
const MAX_ITERATIONS = 300;

/**
 * The same contract as `kmeansRestarts` (k-means++ restarted `restarts` times with seeds
 * `deriveSeed(seed, k, r)`, the lowest inertia kept, labels and inertia recomputed against the
 * final centres), on flat Float64Arrays instead of ml-kmeans' arrays of arrays and per-pair
 * callbacks: about 5× faster on 10,000 customers, which is what lets `searchSegments` fit the
 * chosen k with 10 restarts inside the model's time budget. The centres differ from ml-kmeans'
 * for the same seed (another random stream), not in quality: both are seeded k-means++ + Lloyd.
 *
 * k-means++ here is the greedy variant scikit-learn uses: each new centre is the best (lowest
 * potential) of 2 + ⌊ln k⌋ candidates drawn with probability proportional to the squared
 * distance to the nearest centre so far. An empty segment keeps its previous centre.
 */
export function lloydRestarts(points: readonly Vector[], k: number, restarts: number, seed: number): RestartsResult {
  const n = points.length;
  const dims = points[0]?.length ?? 0;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new StrataError(`k-means needs 1 <= k <= ${n} points, got k = ${k}`);
  const flat = new Float64Array(n * dims);
  points.forEach((p, i) => flat.set(p, i * dims));
  let best: KmeansRun | undefined;
  const inertias: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const runSeed = deriveSeed(seed, k, r);
    const centres = lloyd(flat, n, dims, kmeansPlusPlus(flat, n, dims, k, seededRandom(runSeed)), k);
    const run = evaluate(points, unflatten(centres, k, dims), runSeed);
    inertias.push(run.inertia);
    if (!best || run.inertia < best.inertia) best = run;
  }
  if (!best) throw new StrataError('lloydRestarts needs at least one restart');
  return { best, inertias };
}

function kmeansPlusPlus(x: Float64Array, n: number, dims: number, k: number, random: () => number): Float64Array {
  const centres = new Float64Array(k * dims);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(random() * n);
  centres.set(x.subarray(first * dims, first * dims + dims), 0);
  let closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squared(x, i * dims, centres, 0, dims);
  let candidate = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let potential = 0;
    for (let i = 0; i < n; i++) potential += closest[i]!;
    let bestPotential = Infinity;
    let bestIndex = 0;
    let bestClosest = new Float64Array(n);
    for (let t = 0; t < trials; t++) {
      const index = drawProportional(closest, potential * random());
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.min(closest[i]!, squared(x, i * dims, x, index * dims, dims));
        candidate[i] = d;
        sum += d;
      }
      if (sum < bestPotential) {
        bestPotential = sum;
        bestIndex = index;
        [bestClosest, candidate] = [candidate, bestClosest];
      }
    }
    centres.set(x.subarray(bestIndex * dims, bestIndex * dims + dims), c * dims);
    closest = bestClosest;
  }
  return centres;
}

/** The first index whose cumulative weight exceeds `target` (the last one with weight on a float shortfall). */
function drawProportional(weights: Float64Array, target: number): number {
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    cumulative += weights[i]!;
    last = i;
    if (cumulative > target) return i;
  }
  return last;
}

function lloyd(x: Float64Array, n: number, dims: number, start: Float64Array, k: number): Float64Array {
  let centres = start;
  const labels = new Int32Array(n);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    for (let i = 0, row = 0; i < n; i++, row += dims) {
      let nearest = 0;
      let nearestSquared = Infinity;
      for (let c = 0, base = 0; c < k; c++, base += dims) {
        // inlined: this loop is where the fit spends its time
        let d = 0;
        for (let j = 0; j < dims; j++) {
          const diff = x[row + j]! - centres[base + j]!;
          d += diff * diff;
        }
        if (d < nearestSquared) {
          nearestSquared = d;
          nearest = c;
        }
      }
      labels[i] = nearest;
    }
    const next = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let d = 0; d < dims; d++) next[c * dims + d]! += x[i * dims + d]!;
    }
    let moved = false;
    for (let c = 0; c < k; c++) {
      for (let d = 0; d < dims; d++) {
        next[c * dims + d] = counts[c]! > 0 ? next[c * dims + d]! / counts[c]! : centres[c * dims + d]!;
      }
      if (squared(next, c * dims, centres, c * dims, dims) > TOLERANCE) moved = true;
    }
    centres = next;
    if (!moved) break;
  }
  return centres;
}

function squared(a: Float64Array, offsetA: number, b: Float64Array, offsetB: number, dims: number): number {
  let sum = 0;
  for (let d = 0; d < dims; d++) {
    const diff = a[offsetA + d]! - b[offsetB + d]!;
    sum += diff * diff;
  }
  return sum;
}

function unflatten(flat: Float64Array, k: number, dims: number): number[][] {
  return Array.from({ length: k }, (_, c) => Array.from(flat.subarray(c * dims, c * dims + dims)));
}
