import { foldOf } from './folds.ts';
import { fitLogistic, linearPredictor, softplus, type LogisticFit } from './logistic.ts';

/** The L2 strengths cross-validation chooses from (on standardised features). */
export const LAMBDA_GRID: readonly number[] = [0.01, 0.1, 1, 10, 100, 1000];

export interface CvResult {
  readonly lambda: number;
  /** mean held-out log loss per candidate λ */
  readonly candidates: readonly { readonly lambda: number; readonly logLoss: number }[];
  /** the fit on every row with the chosen λ */
  readonly fit: LogisticFit;
}

/** Mean log loss of a fit on rows. */
export function logLoss(x: readonly (readonly number[])[], y: readonly number[], beta: readonly number[]): number {
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const z = linearPredictor(x[i]!, beta);
    loss += softplus(z) - y[i]! * z;
  }
  return loss / Math.max(1, x.length);
}

/**
 * Chooses λ by k-fold cross-validation (folds by a hash of each row's id, so deterministic) as the
 * candidate with the lowest mean held-out log loss (ties: the stronger penalty), then fits all rows.
 */
export function crossValidate(
  x: readonly (readonly number[])[],
  y: readonly number[],
  ids: readonly string[],
  options: { readonly k?: number; readonly grid?: readonly number[] } = {},
): CvResult {
  const k = options.k ?? 5;
  const grid = options.grid ?? LAMBDA_GRID;
  const folds = ids.map((id) => foldOf(id, k));
  const candidates = grid.map((lambda) => {
    let total = 0;
    let rows = 0;
    for (let f = 0; f < k; f++) {
      const trainX: (readonly number[])[] = [];
      const trainY: number[] = [];
      const testX: (readonly number[])[] = [];
      const testY: number[] = [];
      for (let i = 0; i < x.length; i++) {
        if (folds[i] === f) {
          testX.push(x[i]!);
          testY.push(y[i]!);
        } else {
          trainX.push(x[i]!);
          trainY.push(y[i]!);
        }
      }
      if (testX.length === 0 || trainX.length === 0) continue;
      const fit = fitLogistic(trainX, trainY, { lambda });
      total += logLoss(testX, testY, fit.coefficients) * testX.length;
      rows += testX.length;
    }
    return { lambda, logLoss: total / Math.max(1, rows) };
  });
  const best = candidates.reduce((a, b) => (b.logLoss < a.logLoss - 1e-12 || (Math.abs(b.logLoss - a.logLoss) <= 1e-12 && b.lambda > a.lambda) ? b : a));
  return { lambda: best.lambda, candidates, fit: fitLogistic(x, y, { lambda: best.lambda }) };
}
