/**
 * The validation report: every purchase model fitted on the calibration period and judged on the
 * holdout, next to the naive baseline, as data and as a Markdown table.
 */
import { bestCandidate, compareModels, evaluateNaive, type Candidate } from '../holdout.ts';
import type { HoldoutMetrics } from '../metrics.ts';
import type { PurchaseModelName } from '../types.ts';
import { isoDay } from './purchases.ts';
import { inUnits, type Split } from './split.ts';

export interface ValidationReport {
  readonly source: string;
  readonly split: Split;
  readonly unit: string;
  readonly daysPerUnit: number;
  /** the holdout's length in the unit */
  readonly horizon: number;
  readonly repeaters: number;
  readonly candidates: readonly Candidate[];
  readonly naive: HoldoutMetrics;
  readonly best?: PurchaseModelName;
}

/** Fits and judges `models`; a model whose fit fails is reported with its error. */
export function validate(
  source: string,
  split: Split,
  unit: string,
  daysPerUnit: number,
  models: readonly PurchaseModelName[],
): ValidationReport {
  const holdoutDays = split.periods.holdoutEnd - split.periods.calibrationEnd;
  const horizon = holdoutDays / daysPerUnit;
  const rows = inUnits(split.rows, daysPerUnit);
  // offline, so no time limit; the step limit only stops a fit stuck on a ridge
  const candidates = compareModels(models, rows, horizon, { maxIterations: 4_000 });
  const best = bestCandidate(candidates)?.model;
  return {
    source,
    split,
    unit,
    daysPerUnit,
    horizon,
    repeaters: rows.reduce((n, r) => n + (r.x > 0 ? r.count : 0), 0),
    candidates,
    naive: evaluateNaive(rows, horizon),
    ...(best ? { best } : {}),
  };
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const whole = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A Markdown report: the periods, then one table row per model and the baseline. */
export function formatReport(report: ValidationReport): string {
  const { periods } = report.split;
  const lines = [
    `${report.source}`,
    `calibration ${isoDay(periods.firstDay)}..${isoDay(periods.calibrationEnd)}, holdout ${isoDay(periods.holdoutStart)}..${isoDay(periods.holdoutEnd)} ` +
      `(${fixed(report.horizon, 3)} ${report.unit}s); times in ${report.unit}s (${fixed(report.daysPerUnit, 4)} days)`,
    `${whole(report.split.customers)} customers bought before the last calibration day (${whole(report.repeaters)} of them again before it); ` +
      `${whole(report.split.leftOut)} first bought later and are left out`,
    '',
    '| model | log-likelihood | MAE | RMSE | correlation | predicted total | actual total | AUC of P(alive) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of report.candidates) {
    if (!c.metrics || !c.fit) {
      lines.push(`| ${c.model} | fit failed: ${c.error ?? 'unknown'} | | | | | | |`);
      continue;
    }
    const m = c.metrics;
    lines.push(
      `| ${c.model}${c.model === report.best ? ' (lowest MAE)' : ''} | ${fixed(c.fit.logLikelihood, 1)} | ${fixed(m.mae, 4)} | ${fixed(m.rmse, 4)} | ` +
        `${fixed(m.correlation, 4)} | ${fixed(m.predictedTotal, 1)} | ${whole(m.actualTotal)} | ${fixed(m.auc, 4)} |`,
    );
  }
  const n = report.naive;
  lines.push(
    `| naive (x/T continued) | | ${fixed(n.mae, 4)} | ${fixed(n.rmse, 4)} | ${fixed(n.correlation, 4)} | ${fixed(n.predictedTotal, 1)} | ${whole(n.actualTotal)} | ${fixed(n.auc, 4)} |`,
  );
  lines.push('');
  for (const c of report.candidates) {
    if (!c.fit) continue;
    const params = Object.entries(c.fit.params)
      .map(([k, v]) => `${k} = ${v.toPrecision(5)} (±${fixed(c.fit!.standardErrors[k]!, 4)})`)
      .join(', ');
    lines.push(`${c.model}: ${params}; ${c.fit.iterations} iterations`);
  }
  return lines.join('\n');
}

/** The report as plain JSON (no Infinity or NaN). */
export function reportJson(report: ValidationReport): Record<string, unknown> {
  const { periods } = report.split;
  return {
    source: report.source,
    unit: report.unit,
    calibration: { from: isoDay(periods.firstDay), to: isoDay(periods.calibrationEnd) },
    holdout: { from: isoDay(periods.holdoutStart), to: isoDay(periods.holdoutEnd), length: report.horizon },
    customers: report.split.customers,
    repeaters: report.repeaters,
    left_out: report.split.leftOut,
    models: report.candidates.map((c) => ({
      model: c.model,
      params: c.fit?.params ?? null,
      log_likelihood: c.fit?.logLikelihood ?? null,
      error: c.error ?? null,
      metrics: c.metrics ?? null,
    })),
    naive: report.naive,
    lowest_mae: report.best ?? null,
  };
}
