/**
 * Maximum-likelihood fit of one lifetime-value model to customer summaries: aggregate to
 * distinct rows, minimise the negative log-likelihood over the logarithms of the (all
 * positive) parameters, then take standard errors from the numerical Hessian.
 */
import { StrataError, UsageError } from '../core/errors.ts';
import { spendFrequencyCorrelation } from './gamma-gamma.ts';
import { numericalHessian, standardErrors } from './hessian.ts';
import { MODELS, type Boundary, type ModelSpec } from './models.ts';
import { minimize, type MinimizeResult } from './optimize.ts';
import { SummaryAggregator, rowProblem, type SummaryKind } from './summary.ts';
import { MODEL_NAMES, type FitResult, type ModelName, type SummaryRow } from './types.ts';

/** |ln θ| beyond which a parameter counts as having run to a boundary (e^25 ≈ 7·10^10). */
const MAX_ABS_LOG_PARAM = 25;

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
  /**
   * Nelder–Mead steps over all restarts before the fit counts as not converged; default
   * unlimited (each of at most 9 runs stops at 400 × parameters). A fit on a likelihood ridge
   * (e.g. the Pareto/NBD's s and beta growing together when lifetimes show no heterogeneity) can
   * otherwise creep for minutes; a normal fit takes 300–500 steps.
   */
  readonly maxIterations?: number;
  /**
   * Wall-clock limit of the optimisation in milliseconds; default none. Past it every further
   * evaluation counts as +∞, the optimiser winds down at once, and the fit counts as not
   * converged. For fits whose failure is acceptable (candidates compared on a holdout), so that a
   * likelihood that is slow to evaluate where the optimiser wanders cannot hold up a build.
   */
  readonly timeLimitMs?: number;
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
  const rows = distinctRows(model, spec.kind, summaryRows, options.minRepeatCustomers ?? 10);
  return fitSpec(model, spec, rows, options);
}

/**
 * One maximum-likelihood fit of `spec`. When its optimum lies on a boundary the spec names
 * (ModelSpec.boundaries: a Beta mixture collapsed to a point, a parameter run off towards 0), the
 * nested model there is fitted instead and returned, with the boundary in `boundary` and why in
 * the warnings: the likelihood rising towards a boundary is the data saying where the optimum is,
 * not a failure, when the model at the boundary is itself a model of the data (the BG/BB with
 * one drop-out probability for everyone, or none).
 */
function fitSpec(model: ModelName, spec: ModelSpec, rows: readonly SummaryRow[], options: FitOptions): FitResult {
  const negLogLikelihood = (values: readonly number[]): number => -spec.logLikelihood(values, rows);
  const deadline = performance.now() + (options.timeLimitMs ?? Infinity);
  let outOfTime = false;
  let evaluations = 0;
  const result = minimize(
    (logs) => {
      // the start is always evaluated, so even a fit out of time reports a finite likelihood
      outOfTime ||= evaluations++ > 0 && performance.now() > deadline;
      return outOfTime ? Infinity : negLogLikelihood(logs.map(Math.exp));
    },
    spec.start(rows).map(Math.log),
    options.maxIterations === undefined ? {} : { maxTotalIterations: options.maxIterations },
  );
  const values = result.x.map(Math.exp);
  const limit = outOfTime ? `within the time limit of ${options.timeLimitMs} ms` : undefined;
  const outcome = judgeOptimum(model, spec, result, negLogLikelihood, limit);
  const boundary = outcome.converged || limit !== undefined ? undefined : spec.boundaries?.find((b) => reached(b, outcome));
  if (boundary) {
    const nested = fitSpec(model, boundary.spec, rows, {
      ...options,
      ...(options.maxIterations === undefined ? {} : { maxIterations: Math.max(1, options.maxIterations - result.iterations) }),
      ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: Math.max(1, deadline - performance.now()) }),
    });
    return {
      ...nested,
      params: { ...nested.params, ...boundary.fixed },
      iterations: result.iterations + nested.iterations,
      boundary: nested.boundary ?? boundary.meaning,
      warnings: [`${outcome.why}; fitted the model nested there, where ${boundary.meaning}`, ...nested.warnings],
    };
  }
  if (!outcome.converged && (options.requireConvergence ?? true)) {
    throw new StrataError(
      `${model} fit did not converge: ${outcome.why} (log-likelihood ${-result.fx}, parameters ${describe(spec.paramNames, values)})`,
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
    converged: outcome.converged,
    iterations: result.iterations,
    standardErrors: named(errors),
    customers: rows.reduce((n, row) => n + (row.count ?? 1), 0),
    distinctRows: rows.length,
    warnings,
    ...(outcome.collapsed === undefined ? {} : { collapsed: outcome.collapsed.why }),
  };
}

/** Checked, aggregated rows; a StrataError for an unusable row or too few repeat customers. */
function distinctRows(
  model: ModelName,
  kind: SummaryKind,
  summaryRows: Iterable<SummaryRow>,
  minRepeaters: number,
): SummaryRow[] {
  const aggregator = new SummaryAggregator(kind);
  let index = 0;
  for (const row of summaryRows) {
    index++;
    const problem = rowProblem(row, kind);
    if (problem) throw new StrataError(`${model} fit: summary row ${index}: ${problem}`);
    aggregator.add(row);
  }
  const rows = aggregator.rows();
  const repeaters = rows.reduce((n, row) => n + (row.x > 0 ? (row.count ?? 1) : 0), 0);
  if (repeaters < minRepeaters) {
    throw new StrataError(
      `${model} fit: too few repeat customers (${repeaters} with frequency > 0; ` +
        `at least ${minRepeaters} are needed to fit the model)`,
    );
  }
  return rows;
}

/** Parameters that ran beyond e^±25, with their direction. */
type Runaway = readonly { readonly name: string; readonly toZero: boolean }[];

/** How an optimiser's result stands (judgeOptimum). */
interface Outcome {
  readonly converged: boolean;
  /** why not, in words */
  readonly why: string;
  /** parameters whose likelihood is highest at 0: run beyond e^−25, or not lowered by dividing them by 10 */
  readonly atZero: readonly string[];
  readonly collapsed?: Collapse;
}

/**
 * Whether the optimum is one: the optimiser converged, no parameter ran beyond e^±25, which
 * means the likelihood keeps rising towards a boundary (e.g. no drop-out at all) and the
 * optimiser merely stopped on the flat ridge, and no mixing distribution collapsed to a point
 * (the same boundary reached from inside the box).
 */
function judgeOptimum(
  model: ModelName,
  spec: ModelSpec,
  result: MinimizeResult,
  negLogLikelihood: (values: readonly number[]) => number,
  limit?: string,
): Outcome {
  const values = result.x.map(Math.exp);
  if (!Number.isFinite(result.fx)) {
    throw new StrataError(`${model} fit: the log-likelihood is not finite at any point the optimiser tried`);
  }
  let runaway: Runaway = spec.paramNames
    .map((name, i) => ({ name, log: result.x[i]! }))
    .filter(({ log }) => Math.abs(log) > MAX_ABS_LOG_PARAM)
    .map(({ name, log }) => ({ name, toZero: log < 0 }));
  // shapes of one Beta running off together towards infinity are its collapse, whether or not one passed e^25
  const collapsed = runaway.every((r) => !r.toZero) ? collapsedMixture(spec, values, result.fx, negLogLikelihood) : undefined;
  if (collapsed) runaway = runaway.filter((r) => !collapsed.shapes.includes(r.name));
  const sinking = runaway.length === 0 && collapsed === undefined ? towardsZero(spec, values, result.fx, negLogLikelihood) : undefined;
  const converged = result.converged && runaway.length === 0 && collapsed === undefined && sinking === undefined && limit === undefined;
  const why = runaway.length
    ? runawayWhy(spec, values, runaway)
    : (collapsed?.why ?? sinking?.why ?? `no optimum found ${limit ?? `after ${result.iterations} iterations`}`);
  const atZero = sinking ? [sinking.name] : runaway.filter((r) => r.toZero).map((r) => r.name);
  return { converged, why, atZero, ...(collapsed === undefined ? {} : { collapsed }) };
}

/**
 * A parameter that has a boundary at 0 (ModelSpec.boundaries, `toZero`) and whose optimum lies
 * there: −ln L does not rise when it is divided by 10. The optimiser works on its logarithm,
 * where a likelihood that keeps rising towards 0 flattens out long before e^−25, so it stops
 * "converged" at some small value; at an interior optimum the step must cost likelihood.
 */
function towardsZero(
  spec: ModelSpec,
  values: readonly number[],
  atOptimum: number,
  negLogLikelihood: (values: readonly number[]) => number,
): { name: string; why: string } | undefined {
  for (const { reached } of spec.boundaries ?? []) {
    if (!('toZero' in reached)) continue;
    const i = spec.paramNames.indexOf(reached.toZero);
    const there = negLogLikelihood(values.map((value, k) => (k === i ? value / 10 : value)));
    if (there > atOptimum + RIDGE_TOLERANCE * Math.abs(atOptimum)) continue;
    return {
      name: reached.toZero,
      why:
        `${reached.toZero} ran off towards 0 (${values[i]!.toPrecision(3)}; dividing it by 10 does not lower the log-likelihood, ` +
        `${(-atOptimum).toFixed(4)} against ${(-there).toFixed(4)}): the likelihood is highest at ${reached.toZero} = 0`,
    };
  }
  return undefined;
}

/** Why parameters ran beyond e^±25, in words: a boundary the spec knows (one parameter to 0), or data that cannot identify the model. */
function runawayWhy(spec: ModelSpec, values: readonly number[], runaway: Runaway): string {
  const [only] = runaway;
  const atBoundary = spec.boundaries?.some(({ reached }) => 'toZero' in reached && reached.toZero === only!.name);
  if (runaway.length === 1 && only!.toZero && atBoundary) {
    const value = values[spec.paramNames.indexOf(only!.name)]!;
    return `${only!.name} ran off towards 0 (${value.toPrecision(3)}): the likelihood is highest at ${only!.name} = 0`;
  }
  const towards = runaway.every((r) => r.toZero) ? '0' : runaway.some((r) => r.toZero) ? '0 or infinity' : 'infinity';
  return `${runaway.map((r) => r.name).join(', ')} ran off towards ${towards}; these data cannot identify the model`;
}

/** Whether a fit's outcome lies on this boundary. */
function reached(boundary: Boundary, outcome: Outcome): boolean {
  const where = boundary.reached;
  if ('collapsed' in where) return outcome.collapsed?.of === where.collapsed;
  return outcome.atZero.includes(where.toZero);
}

/** Relative rise of −ln L below which a step away from the optimum counts as not lowering the likelihood. */
const RIDGE_TOLERANCE = 1e-12;

/**
 * Shapes of a Beta distribution adding up to more than this leave it a standard deviation below
 * 0.0005 whatever its mean: no spread left that could matter, the homogeneous limit itself.
 * (There the likelihood's ln B terms of 10^7-sized arguments carry rounding noise above
 * RIDGE_TOLERANCE, so the step test below cannot see the ridge.) The BG/BB fits seen converge far
 * below it: the donation data at 1.95 and 3.44, the airline at 363 and 21.6.
 */
export const COLLAPSED_BETA_SHAPES = 1e6;

/** A Beta mixing distribution collapsed to a point: which one (BetaMixture.of), and the evidence in words. */
interface Collapse {
  readonly of: string;
  /** the names of its two shapes */
  readonly shapes: readonly [string, string];
  readonly why: string;
}

/**
 * Whether a Beta mixing distribution (spec.betaMixtures) has collapsed to a point: its shapes add
 * up to more than COLLAPSED_BETA_SHAPES, or −ln L does not rise when both are multiplied by 10,
 * keeping the mean and cutting the spread by about 3. At an interior optimum it must rise; on a
 * ridge towards the boundary where every customer has the same probability (no heterogeneity in
 * the data) it keeps falling or stays flat, and the optimiser stopped only because its steps
 * became too small to count.
 */
function collapsedMixture(
  spec: ModelSpec,
  values: readonly number[],
  atOptimum: number,
  negLogLikelihood: (values: readonly number[]) => number,
): Collapse | undefined {
  for (const { shapes, of } of spec.betaMixtures ?? []) {
    const [i, j] = shapes;
    const [u, v] = [values[i]!, values[j]!];
    const [a, b] = [spec.paramNames[i]!, spec.paramNames[j]!];
    const head = `${a} and ${b} run off together towards infinity (${a} + ${b} = ${(u + v).toPrecision(3)}, mean ${of} ${(u / (u + v)).toPrecision(3)})`;
    const tail = `the likelihood keeps rising towards every customer having the same ${of}, so these data cannot identify its distribution`;
    if (u + v > COLLAPSED_BETA_SHAPES) return { of, shapes: [a, b], why: `${head}: a standard deviation below 0.0005, ${tail}` };
    const there = negLogLikelihood(values.map((value, k) => (k === i || k === j ? 10 * value : value)));
    if (there > atOptimum + RIDGE_TOLERANCE * Math.abs(atOptimum)) continue;
    return {
      of,
      shapes: [a, b],
      why:
        `${head}: multiplying both by 10 (the same mean, a third of the spread) does not lower the log-likelihood ` +
        `(${(-atOptimum).toFixed(4)}, at 10 times ${(-there).toFixed(4)}); ${tail}`,
    };
  }
  return undefined;
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
