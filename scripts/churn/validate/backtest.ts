import { fitModel } from '../../clv/fit.ts';
import { predictPAlive, toPurchaseModel } from '../../clv/predict.ts';
import { scoreRow } from '../design.ts';
import { unitHash } from '../folds.ts';
import { calibration, liftTopDecile, prAuc, rocAuc, type CalibrationBin, type Outcome } from '../metrics.ts';
import { trainChurnModel, type ChurnModel } from '../train.ts';
import type { BacktestData, BacktestRow } from './sources.ts';

/** How well one scorer separates the holdout's churners. */
export interface ScorerMetrics {
  readonly roc_auc: number;
  readonly pr_auc: number;
  readonly lift_top_decile: number;
  /** mean squared error of the probabilities; null for a score that is no probability (recency) */
  readonly brier: number | null;
  readonly calibration: readonly CalibrationBin[] | null;
  readonly note?: string;
}

export interface BacktestReport {
  readonly label: BacktestData['label'];
  readonly source: string;
  readonly cutoff: string;
  readonly horizon_months: number;
  readonly holdout_share: number;
  readonly training_rows: number;
  readonly training_positives: number;
  readonly holdout_rows: number;
  readonly holdout_positives: number;
  readonly lambda: number;
  readonly model: ScorerMetrics;
  readonly baselines: { readonly recency: ScorerMetrics; readonly bgnbd: ScorerMetrics; readonly mbgnbd: ScorerMetrics };
  readonly fitted: ChurnModel;
}

/** The holdout: a deterministic share of rows by a hash of their id (the same customers every run). */
export function inHoldout(id: string, share: number): boolean {
  return unitHash('churn-holdout', id) < share;
}

function metrics(outcomes: readonly Outcome[], probabilities: boolean, note?: string): ScorerMetrics {
  const brier = probabilities ? outcomes.reduce((s, o) => s + (o.score - (o.positive ? 1 : 0)) ** 2, 0) / outcomes.length : null;
  return {
    roc_auc: rocAuc(outcomes),
    pr_auc: prAuc(outcomes),
    lift_top_decile: liftTopDecile(outcomes),
    brier,
    calibration: probabilities ? calibration(outcomes) : null,
    ...(note ? { note } : {}),
  };
}

/**
 * Fits the churn model on the training share (λ by cross-validation inside it), scores the
 * holdout, and measures it beside the baselines: recency alone, and the BG/NBD and MBG/NBD churn
 * probability 1 - P(alive) fitted on the training share's purchase summaries (rows without a purchase before
 * the cutoff score 1: the model has seen nothing of them).
 */
export function backtest(data: BacktestData, holdoutShare = 0.3): BacktestReport {
  const train: BacktestRow[] = [];
  const holdout: BacktestRow[] = [];
  for (const row of data.rows) (inHoldout(row.id, holdoutShare) ? holdout : train).push(row);
  const fitted = trainChurnModel(train, data.spec);
  const outcome = (row: BacktestRow, score: number): Outcome => ({ score, positive: row.label === 1 });

  const model = metrics(
    holdout.map((r) => outcome(r, scoreRow(r.features, fitted.coefficients).probability)),
    true,
  );
  const recency = metrics(
    holdout.map((r) => outcome(r, r.recency)),
    false,
  );

  // Both BG-family models: BG/NBD's P(alive) is 1 for every customer without a repeat purchase
  // (it lets customers drop out only after a purchase), MBG/NBD's is not; on data with many
  // one-time buyers the two rank customers very differently.
  const summaries = train.flatMap((r) => (r.summary ? [r.summary] : []));
  const family = (name: 'bgnbd' | 'mbgnbd'): ScorerMetrics => {
    const fit = fitModel(name, summaries, { requireConvergence: false, timeLimitMs: 60_000 });
    const purchase = toPurchaseModel(fit);
    return metrics(
      holdout.map((r) => outcome(r, r.summary ? 1 - predictPAlive(purchase, r.summary) : 1)),
      true,
      `${name} on ${data.timeUnit}s, ${fit.converged ? 'converged' : 'NOT converged (boundary: ' + JSON.stringify(fit.params) + ')'}`,
    );
  };
  const bgnbd = family('bgnbd');
  const mbgnbd = family('mbgnbd');

  return {
    label: data.label,
    source: data.source,
    cutoff: data.cutoff,
    horizon_months: data.horizonMonths,
    holdout_share: holdoutShare,
    training_rows: train.length,
    training_positives: train.filter((r) => r.label === 1).length,
    holdout_rows: holdout.length,
    holdout_positives: holdout.filter((r) => r.label === 1).length,
    lambda: fitted.lambda,
    model,
    baselines: { recency, bgnbd, mbgnbd },
    fitted,
  };
}
