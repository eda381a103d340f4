/**
 * From feature rows to the model's design matrix and back: numeric features standardised (mean 0,
 * population sd 1 over the training rows; a missing value is the mean, i.e. 0), categorical
 * features one-hot against their most frequent level. The same terms, stored as rows of
 * gold.churn_coefficients, are what SQL scoring applies (models/gold/churn_scores.sql) and what
 * scoreRow applies here, so both compute the same number.
 */

/** Which columns of a feature row the model reads. */
export interface FeatureSpec {
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
}

/** One row of features, by column name; numbers for numeric features, text for categorical ones. */
export type FeatureRow = Readonly<Record<string, number | string | null | undefined>>;

/** One column of the design: the intercept, a standardised numeric feature, or one level's indicator. */
export interface Term {
  /** 'intercept' or the feature's column name */
  readonly term: string;
  /** the level an indicator stands for; null otherwise */
  readonly level: string | null;
  readonly kind: 'intercept' | 'numeric' | 'indicator';
  /** training mean (numeric) or 0 */
  readonly mean: number;
  /** training population sd (numeric) or 1 */
  readonly sd: number;
}

export interface CoefficientRow extends Term {
  readonly coefficient: number;
}

/**
 * The design's terms from training rows: the intercept; each numeric feature that varies (a
 * constant column cannot be learnt from and is left out); each categorical level but the most
 * frequent (ties: the first in text order), which is the reference every other level is measured
 * against. A missing category is no indicator (the reference).
 */
export function designTerms(rows: readonly FeatureRow[], spec: FeatureSpec): Term[] {
  const terms: Term[] = [{ term: 'intercept', level: null, kind: 'intercept', mean: 0, sd: 1 }];
  for (const feature of spec.numeric) {
    let n = 0;
    let sum = 0;
    for (const row of rows) {
      const v = row[feature];
      if (typeof v === 'number' && Number.isFinite(v)) {
        n++;
        sum += v;
      }
    }
    if (n === 0) continue;
    const mean = sum / n;
    let squares = 0;
    for (const row of rows) {
      const v = row[feature];
      if (typeof v === 'number' && Number.isFinite(v)) squares += (v - mean) ** 2;
    }
    const sd = Math.sqrt(squares / n);
    if (sd > 0) terms.push({ term: feature, level: null, kind: 'numeric', mean, sd });
  }
  for (const feature of spec.categorical) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const v = row[feature];
      if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const levels = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([level]) => level);
    for (const level of levels.slice(1)) terms.push({ term: feature, level, kind: 'indicator', mean: 0, sd: 1 });
  }
  return terms;
}

/** One term's value for a row: 1 (intercept), the standardised number (0 when missing), or 0/1. */
export function termValue(row: FeatureRow, term: Term): number {
  if (term.kind === 'intercept') return 1;
  const v = row[term.term];
  if (term.kind === 'indicator') return v === term.level ? 1 : 0;
  return typeof v === 'number' && Number.isFinite(v) ? (v - term.mean) / term.sd : 0;
}

/** A row as the design matrix's row (term order). */
export function designRow(row: FeatureRow, terms: readonly Term[]): number[] {
  return terms.map((t) => termValue(row, t));
}

/** How a term is named as a driver: the feature, or `feature = level` for an indicator. */
export function driverName(term: Term): string {
  return term.kind === 'indicator' ? `${term.term} = ${term.level}` : term.term;
}

export interface RowScore {
  readonly logit: number;
  readonly probability: number;
  /** coefficient × term value per non-intercept term, largest first */
  readonly contributions: readonly { readonly driver: string; readonly contribution: number }[];
}

/** Scores one row with stored coefficients, as models/gold/churn_scores.sql does. */
export function scoreRow(row: FeatureRow, coefficients: readonly CoefficientRow[]): RowScore {
  let logit = 0;
  const contributions: { driver: string; contribution: number }[] = [];
  for (const c of coefficients) {
    const contribution = c.coefficient * termValue(row, c);
    logit += contribution;
    if (c.kind !== 'intercept') contributions.push({ driver: driverName(c), contribution });
  }
  contributions.sort((a, b) => b.contribution - a.contribution || (a.driver < b.driver ? -1 : 1));
  return { logit, probability: 1 / (1 + Math.exp(-logit)), contributions };
}
