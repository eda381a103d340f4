/**
 * Maximum-likelihood fit of one lifetime-value model to customer summaries: aggregate to
 * distinct rows, minimise the negative log-likelihood over the logarithms of the (all
 * positive) parameters, then take standard errors from the numerical Hessian.
 */
import { StrataError, UsageError } from '../core/errors.ts';
import { spendFrequencyCorrelation } from './gamma-gamma.ts';
import { numericalHessian, standardErrors } from './hessian.ts';
import { MODELS } from './models.ts';
import { minimize } from './optimize.ts';
import { aggregateSummary, rowProblem } from './summary.ts';
import { MODEL_NAMES, type FitResult, type ModelName, type SummaryRow } from './types.ts';

export interface FitOptions {
  /** throw a StrataError when the optimiser does not converge; default true */
  readonly requireConvergence?: boolean;
  /**
   * fewer customers with a repeat purchase than this is an error; default 10. A floor against
   * fits that cannot identify the drop-out or spend parameters, not a guarantee of a good fit.
   */
  readonly minRepeatCustomers?: number;
  /** |corr(frequency, spend)| from which Gamma-Gamma warns; default 0.3 */
  readonly correlationWarning?: number;
}

/**
 * Fits `model` to summary rows (one per customer, or distinct rows with `count`).
 * Purchase models read x, tx, T; Gamma-Gamma reads x and monetary of customers with x > 0.
 *
 * @example
 * const fit = fitModel('bgnbd', [{ x: 2, tx: 30.43, T: 38.86 }, …]);
 * fit.params.r; fit.standardErrors.alpha;
 */
export function fitModel(model: ModelName, summaryRows: Iterable<SummaryRow>, options: FitOptions = {}): FitResult {
  const spec = MODELS[model];
  if (!spec) throw new UsageError(`unknown model "${String(model)}"; expected one of ${MODEL_NAMES.join(', ')}`);
  const checked: SummaryRow[] = [];
  let index = 0;
  for (const row of summaryRows) {
    index++;
    const problem = rowProblem(row, spec.kind);
    if (problem) throw new StrataError(`${model} fit: summary row ${index}: ${problem}`);
    checked.push(row);
  }
  const rows = aggregateSummary(checked, spec.kind);
  const customers = rows.reduce((n, row) => n + (row.count ?? 1), 0);
  const repeaters = rows.reduce((n, row) => n + (row.x > 0 ? (row.count ?? 1) : 0), 0);
  const minRepeaters = options.minRepeatCustomers ?? 10;
  if (repeaters < minRepeaters) {
    throw new StrataError(
      `${model} fit: too few repeat customers (${repeaters} with frequency > 0; at least ${minRepeaters} are needed)`,
    );
  }

  const negLogLikelihood = (values: readonly number[]): number => -spec.logLikelihood(values, rows);
  const result = minimize((logs) => negLogLikelihood(logs.map(Math.exp)), spec.start(rows).map(Math.log));
  const values = result.x.map(Math.exp);
  if (!Number.isFinite(result.fx)) {
    throw new StrataError(`${model} fit: the log-likelihood is not finite at any point the optimiser tried`);
  }
  if (!result.converged && (options.requireConvergence ?? true)) {
    throw new StrataError(
      `${model} fit did not converge after ${result.iterations} iterations ` +
        `(last log-likelihood ${-result.fx}, parameters ${describe(spec.paramNames, values)})`,
    );
  }
  const errors = standardErrors(numericalHessian(negLogLikelihood, values));
  const named = (list: readonly number[]): Record<string, number> =>
    Object.fromEntries(spec.paramNames.map((name, i) => [name, list[i]!]));
  const warnings = model === 'gammagamma' ? spendWarnings(rows, values, options.correlationWarning ?? 0.3) : [];
  if (errors.some(Number.isNaN)) {
    warnings.push(
      'standard errors could not be computed (the Hessian at the optimum is not invertible): ' +
        `these data do not identify the parameters (${describe(spec.paramNames, values)})`,
    );
  }

  return {
    model,
    params: named(values),
    logLikelihood: -result.fx,
    converged: result.converged,
    iterations: result.iterations,
    standardErrors: named(errors),
    customers,
    distinctRows: rows.length,
    warnings,
  };
}

function spendWarnings(rows: readonly SummaryRow[], [, q]: readonly number[], threshold: number): string[] {
  const warnings: string[] = [];
  const correlation = spendFrequencyCorrelation(rows);
  if (Math.abs(correlation) >= threshold) {
    warnings.push(
      `spend and frequency are correlated (r = ${correlation.toFixed(3)}); Gamma-Gamma assumes ` +
        `they are independent, so its spend predictions are biased`,
    );
  }
  if (q! <= 1) {
    warnings.push(`q = ${q} <= 1: the population mean spend p·v/(q − 1) does not exist`);
  }
  return warnings;
}

function describe(names: readonly string[], values: readonly number[]): string {
  return names.map((name, i) => `${name}=${values[i]!.toPrecision(6)}`).join(', ');
}
