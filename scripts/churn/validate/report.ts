import type { BacktestReport, ScorerMetrics } from './backtest.ts';

/**
 * The report as one JSON object: the model's metrics at the top by their names (roc_auc, pr_auc,
 * lift_top_decile, brier, calibration), the baselines' under baselines.<name>, and the fit's λ,
 * cross-validation and coefficients. strata_meta.churn_fits.metrics holds the same object.
 */
export function reportJson(report: BacktestReport): Record<string, unknown> {
  const { fitted, model, ...rest } = report;
  return {
    ...rest,
    ...model,
    cv: fitted.cv,
    coefficients: fitted.coefficients.map((c) => ({ term: c.term, level: c.level, coefficient: c.coefficient })),
  };
}

const num = (v: number | null, digits = 3): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** The report as a table for the terminal. */
export function formatReport(report: BacktestReport): string {
  const line = (name: string, m: ScorerMetrics): string =>
    `  ${name.padEnd(34)}${num(m.roc_auc).padStart(8)}${num(m.pr_auc).padStart(8)}${num(m.lift_top_decile, 2).padStart(12)}${num(m.brier, 4).padStart(8)}`;
  const out = [
    `churn backtest: label ${report.label} (${report.source}), cutoff ${report.cutoff}, horizon ${report.horizon_months} months`,
    `  training ${report.training_rows.toLocaleString('en-US')} rows (${report.training_positives.toLocaleString('en-US')} churned), ` +
      `held out ${report.holdout_rows.toLocaleString('en-US')} (${report.holdout_positives.toLocaleString('en-US')} churned, ` +
      `${(report.holdout_share * 100).toFixed(0)}% by a hash of the id); L2 λ = ${report.lambda} by 5-fold CV`,
    '',
    `  ${'scorer'.padEnd(34)}${'roc_auc'.padStart(8)}${'pr_auc'.padStart(8)}${'lift@10%'.padStart(12)}${'brier'.padStart(8)}`,
    line('logistic regression (L2)', report.model),
    line('recency alone', report.baselines.recency),
    line('BG/NBD churn (1 - p_alive)', report.baselines.bgnbd),
    line('MBG/NBD churn (1 - p_alive)', report.baselines.mbgnbd),
    `  base rate ${num(report.holdout_positives / Math.max(1, report.holdout_rows), 4)}`,
    ...[report.baselines.bgnbd.note, report.baselines.mbgnbd.note].filter(Boolean).map((n) => `  ${n}`),
    '',
    '  calibration of the logistic model on the holdout (ten bins by predicted probability):',
    `  ${'bin'.padStart(5)}${'rows'.padStart(8)}${'predicted'.padStart(11)}${'observed'.padStart(10)}`,
    ...(report.model.calibration ?? []).map(
      (b) => `  ${String(b.bin).padStart(5)}${String(b.rows).padStart(8)}${num(b.predicted, 4).padStart(11)}${num(b.observed, 4).padStart(10)}`,
    ),
  ];
  return out.join('\n');
}
