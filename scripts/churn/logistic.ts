import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { StrataError } from '../core/errors.ts';

/**
 * L2-regularised logistic regression fitted by iteratively reweighted least squares (Newton's
 * method on the penalised log-likelihood). The design matrix's first column must be the intercept
 * (all ones); the intercept is not penalised. Minimises
 *
 *     -Σ [y log p + (1 - y) log(1 - p)] + (λ / 2) Σ_{j ≥ 1} β_j²,   p = 1 / (1 + exp(-Xβ))
 *
 * Why IRLS and not a library: the maintained Node package (ml-logistic-regression) takes only
 * numSteps and learningRate (fixed-step gradient descent): no L2 penalty and no convergence test,
 * so its coefficients cannot be held to a tolerance. Newton converges quadratically here (the penalised
 * objective is strictly convex); ml-matrix's Cholesky solves each step's p × p system.
 */
export interface LogisticFit {
  /** intercept first, then one per design column after it */
  readonly coefficients: readonly number[];
  readonly iterations: number;
  /** the penalised negative log-likelihood at the solution */
  readonly objective: number;
}

export interface LogisticOptions {
  /** L2 strength λ (0: plain maximum likelihood); default 0 */
  readonly lambda?: number;
  /** stop when the largest coefficient change is below this; default 1e-10 */
  readonly tolerance?: number;
  /** default 100 */
  readonly maxIterations?: number;
  /** per-row weights (e.g. counts); default 1 */
  readonly weights?: readonly number[];
}

/** log(1 + exp(z)) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function, 1 / (1 + exp(-z)), stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Xβ for one row. */
export function linearPredictor(row: readonly number[], beta: readonly number[]): number {
  let z = 0;
  for (let j = 0; j < beta.length; j++) z += row[j]! * beta[j]!;
  return z;
}

/** The penalised negative log-likelihood (the objective fitLogistic minimises). */
export function penalisedLoss(x: readonly (readonly number[])[], y: readonly number[], beta: readonly number[], lambda: number, weights?: readonly number[]): number {
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const z = linearPredictor(x[i]!, beta);
    // -[y z - log(1 + e^z)]
    loss += (weights?.[i] ?? 1) * (softplus(z) - y[i]! * z);
  }
  let penalty = 0;
  for (let j = 1; j < beta.length; j++) penalty += beta[j]! ** 2;
  return loss + (lambda / 2) * penalty;
}

/**
 * Fits the model. Throws a StrataError when the rows are empty, widths differ, the Newton system
 * is singular (λ = 0 with collinear or separating columns: use λ > 0) or it does not converge.
 *
 * @example
 * const fit = fitLogistic([[1, 0.5], [1, -1.2], …], [1, 0, …], { lambda: 1 });
 * fit.coefficients; // [intercept, slope]
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], options: LogisticOptions = {}): LogisticFit {
  const n = x.length;
  if (n === 0) throw new StrataError('logistic regression: no training rows');
  if (y.length !== n) throw new StrataError(`logistic regression: ${n} rows but ${y.length} labels`);
  const p = x[0]!.length;
  if (x.some((row) => row.length !== p)) throw new StrataError('logistic regression: rows of different widths');
  const lambda = options.lambda ?? 0;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  const weights = options.weights;

  let beta = new Array<number>(p).fill(0);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Newton step: (XᵀWX + λI') Δ = Xᵀ(y - p) - λI'β, with I' the identity without the intercept.
    const hessian = Matrix.zeros(p, p);
    const gradient = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i++) {
      const row = x[i]!;
      const mu = sigmoid(linearPredictor(row, beta));
      const w = (weights?.[i] ?? 1);
      const variance = w * mu * (1 - mu);
      const residual = w * (y[i]! - mu);
      for (let j = 0; j < p; j++) {
        const xj = row[j]!;
        if (xj === 0) continue;
        gradient[j]! += xj * residual;
        const vj = variance * xj;
        for (let k = 0; k <= j; k++) hessian.set(j, k, hessian.get(j, k) + vj * row[k]!);
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) hessian.set(k, j, hessian.get(j, k));
      if (j > 0) {
        hessian.set(j, j, hessian.get(j, j) + lambda);
        gradient[j]! -= lambda * beta[j]!;
      }
    }
    const cholesky = new CholeskyDecomposition(hessian);
    if (!cholesky.isPositiveDefinite()) {
      throw new StrataError('logistic regression: the Newton system is singular (collinear columns or separation); use a positive L2 strength');
    }
    const step = cholesky.solve(Matrix.columnVector(gradient)).to1DArray();
    // Step halving keeps every iteration a descent step (Newton alone can overshoot far from the optimum).
    const before = penalisedLoss(x, y, beta, lambda, weights);
    let scale = 1;
    let next = beta.map((b, j) => b + step[j]!);
    while (penalisedLoss(x, y, next, lambda, weights) > before + 1e-12 * Math.abs(before) && scale > 1e-6) {
      scale /= 2;
      next = beta.map((b, j) => b + scale * step[j]!);
    }
    const change = Math.max(...next.map((b, j) => Math.abs(b - beta[j]!)));
    beta = next;
    if (change < tolerance) {
      return { coefficients: beta, iterations: iteration, objective: penalisedLoss(x, y, beta, lambda, weights) };
    }
  }
  throw new StrataError(`logistic regression did not converge in ${maxIterations} Newton iterations`);
}
