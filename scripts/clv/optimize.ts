/**
 * Derivative-free minimisation: Nelder–Mead (Nelder & Mead 1965, the coefficients of Lagarias
 * et al. 1998) with restarts. Written here rather than taken from npm: `fmin` (the only small
 * candidate) reports no convergence flag, reads its x-tolerance from the wrong option, and its
 * shrink step assigns an undeclared variable, which throws in strict mode (fmin 0.0.4,
 * src/nelderMead.js). The likelihoods here have 3–4 parameters, where Nelder–Mead with a
 * restart from the best point is the usual choice (R's `optim` default, lifetimes' fitters).
 */

export interface MinimizeOptions {
  /** steps of one Nelder–Mead run before it gives up; default 400 × dimension */
  readonly maxIterations?: number;
  /** stop when the simplex's values differ by less than this, relative to |f|; default 1e-12 */
  readonly fTolerance?: number;
  /** ... and its points by less than this in every coordinate; default 1e-8 */
  readonly xTolerance?: number;
  /** side of the first simplex around each start; default 0.5 */
  readonly initialStep?: number;
  /** runs after the first, each from the best point so far with a fresh simplex; default 8 */
  readonly maxRestarts?: number;
  /** steps over all runs together; default unlimited (each run still stops at maxIterations) */
  readonly maxTotalIterations?: number;
}

export interface MinimizeResult {
  readonly x: readonly number[];
  readonly fx: number;
  /** Nelder–Mead steps over all runs */
  readonly iterations: number;
  /** the last run met the tolerances and a fresh simplex found nothing better */
  readonly converged: boolean;
}

interface Vertex {
  readonly x: number[];
  readonly fx: number;
}

/**
 * Minimises f from x0, restarting from the best point until a restart no longer improves it.
 * Non-finite values of f count as +Infinity, so a likelihood may return NaN outside its domain.
 *
 * @example minimize(([u, v]) => (u! - 1) ** 2 + (v! + 2) ** 2, [0, 0]).x // ≈ [1, -2]
 */
export function minimize(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const safe = (x: readonly number[]): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const fTol = options.fTolerance ?? 1e-12;
  const total = options.maxTotalIterations ?? Infinity;
  const perRun = options.maxIterations ?? 400 * x0.length;
  const run = (from: readonly number[], done: number): MinimizeResult =>
    nelderMead(safe, from, { ...options, maxIterations: Math.max(0, Math.min(perRun, total - done)) });
  let best = run(x0, 0);
  let iterations = best.iterations;
  for (let restart = 0; restart < (options.maxRestarts ?? 8) && iterations < total; restart++) {
    const next = run(best.x, iterations);
    iterations += next.iterations;
    const gain = best.fx - next.fx;
    if (next.fx <= best.fx) best = next;
    if (next.converged && gain <= fTol * (Math.abs(best.fx) + 1e-8)) {
      return { x: best.x, fx: best.fx, iterations, converged: true };
    }
  }
  return { x: best.x, fx: best.fx, iterations, converged: false };
}

/** One Nelder–Mead run. */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 400 * n;
  const fTol = options.fTolerance ?? 1e-12;
  const xTol = options.xTolerance ?? 1e-8;
  const step = options.initialStep ?? 0.5;
  const at = (x: number[]): Vertex => ({ x, fx: f(x) });
  const simplex: Vertex[] = [at([...x0])];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = x[i]! + step;
    simplex.push(at(x));
  }
  // x + t·(centroid − x): reflection t = 2, expansion 3, outside contraction 1.5, inside 0.5
  const along = (centroid: readonly number[], worst: readonly number[], t: number): number[] =>
    worst.map((w, i) => w + t * (centroid[i]! - w));

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    simplex.sort((u, v) => u.fx - v.fx);
    const bestV = simplex[0]!;
    const worst = simplex[n]!;
    if (hasConverged(simplex, fTol, xTol)) {
      return { x: bestV.x, fx: bestV.fx, iterations: iteration, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centroid[i]! += simplex[j]!.x[i]! / n;

    const reflected = at(along(centroid, worst.x, 2));
    if (reflected.fx < bestV.fx) {
      const expanded = at(along(centroid, worst.x, 3));
      simplex[n] = expanded.fx < reflected.fx ? expanded : reflected;
    } else if (reflected.fx < simplex[n - 1]!.fx) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.fx < worst.fx;
      const contracted = at(along(centroid, worst.x, outside ? 1.5 : 0.5));
      if (contracted.fx < (outside ? reflected.fx : worst.fx)) {
        simplex[n] = contracted;
      } else {
        for (let j = 1; j <= n; j++) simplex[j] = at(along(bestV.x, simplex[j]!.x, 0.5));
      }
    }
  }
  simplex.sort((u, v) => u.fx - v.fx);
  return { x: simplex[0]!.x, fx: simplex[0]!.fx, iterations: maxIterations, converged: false };
}

function hasConverged(simplex: readonly Vertex[], fTol: number, xTol: number): boolean {
  const best = simplex[0]!;
  const fSpread = simplex[simplex.length - 1]!.fx - best.fx;
  if (!(fSpread <= fTol * (Math.abs(best.fx) + 1e-8))) return false;
  return simplex.every((v) => v.x.every((xi, i) => Math.abs(xi - best.x[i]!) <= xTol));
}
