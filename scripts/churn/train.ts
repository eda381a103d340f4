import { crossValidate, LAMBDA_GRID } from './cv.ts';
import { designRow, designTerms, type CoefficientRow, type FeatureRow, type FeatureSpec } from './design.ts';
import { unitHash } from './folds.ts';

/** One training row: an id (for deterministic folds and samples), its label and its features. */
export interface TrainingRow {
  readonly id: string;
  readonly label: number;
  readonly features: FeatureRow;
}

export interface ChurnModel {
  /** the intercept first, then every design term, each with its fitted coefficient */
  readonly coefficients: readonly CoefficientRow[];
  readonly lambda: number;
  readonly cv: readonly { readonly lambda: number; readonly logLoss: number }[];
  readonly trainingRows: number;
  readonly positives: number;
  readonly iterations: number;
}

/** Default largest training sample (rows past it are left out by a hash of their id). */
export const DEFAULT_SAMPLE = 200_000;

/** At most `max` rows, the same ones whatever the order: those with the smallest hash of their id. */
export function deterministicSample<T extends { readonly id: string }>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  return rows
    .map((row) => ({ row, h: unitHash('churn-sample', row.id) }))
    .sort((a, b) => a.h - b.h)
    .slice(0, max)
    .map((r) => r.row);
}

/**
 * Fits the churn model: design terms from the (sampled) rows, L2 strength by 5-fold
 * cross-validation over LAMBDA_GRID, then the fit on all of them.
 *
 * @example
 * const model = trainChurnModel(rows, AIRLINE_FEATURES);
 * model.coefficients.find((c) => c.term === 'recency_months')?.coefficient;
 */
export function trainChurnModel(
  allRows: readonly TrainingRow[],
  spec: FeatureSpec,
  options: { readonly sample?: number; readonly grid?: readonly number[] } = {},
): ChurnModel {
  const rows = deterministicSample(allRows, options.sample ?? DEFAULT_SAMPLE);
  const terms = designTerms(
    rows.map((r) => r.features),
    spec,
  );
  const x = rows.map((r) => designRow(r.features, terms));
  const y = rows.map((r) => r.label);
  const result = crossValidate(
    x,
    y,
    rows.map((r) => r.id),
    { grid: options.grid ?? LAMBDA_GRID },
  );
  return {
    coefficients: terms.map((t, j) => ({ ...t, coefficient: result.fit.coefficients[j]! })),
    lambda: result.lambda,
    cv: result.candidates,
    trainingRows: rows.length,
    positives: y.filter((v) => v === 1).length,
    iterations: result.fit.iterations,
  };
}
