/**
 * A purchase model judged on a holdout period: fitted on the calibration summaries, it predicts
 * each customer's purchases in the next `t` units; those are compared with what the customer did.
 * Used by the build (clv_model 'auto') and by `validate-clv`.
 */
import { StrataError } from '../core/errors.ts';
import { fitModel, type FitOptions } from './fit.ts';
import { holdoutMetrics, type HoldoutMetrics, type Observation } from './metrics.ts';
import { predictPAlive, predictPurchases, toPurchaseModel } from './predict.ts';
import type { FitResult, PurchaseModel, PurchaseModelName, SummaryRow } from './types.ts';

/** `count` customers with this calibration summary who made `actual` purchases in the holdout. */
export interface HoldoutRow {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  readonly actual: number;
  readonly count: number;
}

/** The model's predictions against the holdout; P(alive) is the score for the AUC. */
export function evaluateModel(model: PurchaseModel, rows: readonly HoldoutRow[], t: number): HoldoutMetrics {
  const cache = new Map<string, { predicted: number; score: number }>();
  const observations: Observation[] = rows.map((row) => {
    const key = `${row.x}|${row.tx}|${row.T}`;
    let prediction = cache.get(key);
    if (!prediction) {
      prediction = { predicted: predictPurchases(model, row, t), score: predictPAlive(model, row) };
      cache.set(key, prediction);
    }
    return { ...prediction, actual: row.actual, count: row.count };
  });
  return holdoutMetrics(observations);
}

/**
 * The naive baseline: each customer keeps buying at her calibration rate of repeat purchases,
 * x / T per unit, so she is predicted x / T · t; the same rate ranks customers for the AUC. A
 * customer with T = 0 (only on a discrete grid: first purchase at the last calibration
 * opportunity) has no rate yet and is predicted 0.
 */
export function evaluateNaive(rows: readonly HoldoutRow[], t: number): HoldoutMetrics {
  return holdoutMetrics(rows.map((row) => ({ predicted: row.T > 0 ? (row.x / row.T) * t : 0, actual: row.actual, count: row.count })));
}

/** One purchase model's calibration fit and holdout result, or why it has none. */
export interface Candidate {
  readonly model: PurchaseModelName;
  readonly fit?: FitResult;
  readonly metrics?: HoldoutMetrics;
  /** the fit failed (did not converge, too few repeat customers, …) */
  readonly error?: string;
}

/**
 * Fits every model on the calibration rows and evaluates it on the holdout. A model whose fit
 * fails (with `options`, e.g. a step or time limit) is kept with its error rather than stopping
 * the others.
 */
export function compareModels(
  models: readonly PurchaseModelName[],
  rows: readonly HoldoutRow[],
  t: number,
  options: FitOptions = {},
): Candidate[] {
  const calibration: SummaryRow[] = rows.map(({ x, tx, T, count }) => ({ x, tx, T, count }));
  return models.map((model) => {
    try {
      const fit = fitModel(model, calibration, { ...options, requireConvergence: true });
      return { model, fit, metrics: evaluateModel(toPurchaseModel(fit), rows, t) };
    } catch (error) {
      if (error instanceof StrataError) return { model, error: error.message };
      throw error;
    }
  });
}

/** The candidate with the lowest mean absolute error per customer, or undefined when none fitted. */
export function bestCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) {
    if (!candidate.metrics) continue;
    if (!best || candidate.metrics.mae < best.metrics!.mae) best = candidate;
  }
  return best;
}
