import { conversionMde, meanMde, twoProportionTest, welchTest, type ArmMean } from './stats.ts';

/** Sums over the users of one stratum and arm, as the experiment_results query returns them. */
export interface ArmSums {
  readonly n: number;
  readonly converted: number;
  readonly bookings: number;
  readonly spend: number;
  readonly spendSquares: number;
  /** the same outcomes over the baseline window before the start */
  readonly preConverted: number;
  readonly preSpend: number;
  readonly preSpendSquares: number;
}

export const NO_USERS: ArmSums = { n: 0, converted: 0, bookings: 0, spend: 0, spendSquares: 0, preConverted: 0, preSpend: 0, preSpendSquares: 0 };

/** Adds two groups' sums (a segment's arms, or every segment's). */
export function addSums(a: ArmSums, b: ArmSums): ArmSums {
  return {
    n: a.n + b.n,
    converted: a.converted + b.converted,
    bookings: a.bookings + b.bookings,
    spend: a.spend + b.spend,
    spendSquares: a.spendSquares + b.spendSquares,
    preConverted: a.preConverted + b.preConverted,
    preSpend: a.preSpend + b.preSpend,
    preSpendSquares: a.preSpendSquares + b.preSpendSquares,
  };
}

function meanOf(n: number, sum: number, squares: number): ArmMean {
  const mean = n > 0 ? sum / n : 0;
  // sample variance (n − 1), never below 0 from rounding
  const variance = n > 1 ? Math.max(0, (squares - (sum * sum) / n) / (n - 1)) : 0;
  return { n, mean, variance };
}

/** One row of gold.experiment_results, before the scope columns. */
export interface ExperimentFigures {
  readonly users_treatment: number;
  readonly users_control: number;
  readonly conversion_treatment: number | null;
  readonly conversion_control: number | null;
  readonly conversion_diff: number | null;
  readonly conversion_ci_low: number | null;
  readonly conversion_ci_high: number | null;
  readonly conversion_p_value: number | null;
  readonly bookings_per_user_treatment: number | null;
  readonly bookings_per_user_control: number | null;
  readonly spend_per_user_treatment: number | null;
  readonly spend_per_user_control: number | null;
  readonly spend_diff: number | null;
  readonly spend_ci_low: number | null;
  readonly spend_ci_high: number | null;
  readonly spend_p_value: number | null;
  readonly spend_df: number | null;
  readonly baseline_conversion: number | null;
  readonly mde_conversion: number | null;
  readonly baseline_spend_sd: number | null;
  readonly mde_spend: number | null;
}

/**
 * The figures of one scope (a segment, or everyone) from its arms' sums. Outcome figures are
 * null until outcomes count (`started`); the power figures (baseline and minimum detectable
 * effect at 80% power for the current arm sizes) come from the baseline window and are always given.
 */
export function experimentFigures(treatment: ArmSums, control: ArmSums, started: boolean): ExperimentFigures {
  const nT = treatment.n;
  const nC = control.n;
  const both = addSums(treatment, control);
  const baseline = both.n > 0 ? both.preConverted / both.n : null;
  const preSpend = meanOf(both.n, both.preSpend, both.preSpendSquares);
  const conversion = started ? twoProportionTest(treatment.converted, nT, control.converted, nC) : undefined;
  const spendT = meanOf(nT, treatment.spend, treatment.spendSquares);
  const spendC = meanOf(nC, control.spend, control.spendSquares);
  const spend = started ? welchTest(spendT, spendC) : undefined;
  const rate = (x: number, n: number): number | null => (started && n > 0 ? x / n : null);
  return {
    users_treatment: nT,
    users_control: nC,
    conversion_treatment: rate(treatment.converted, nT),
    conversion_control: rate(control.converted, nC),
    conversion_diff: conversion?.diff ?? null,
    conversion_ci_low: conversion?.ciLow ?? null,
    conversion_ci_high: conversion?.ciHigh ?? null,
    conversion_p_value: conversion?.pValue ?? null,
    bookings_per_user_treatment: rate(treatment.bookings, nT),
    bookings_per_user_control: rate(control.bookings, nC),
    spend_per_user_treatment: started && nT > 0 ? spendT.mean : null,
    spend_per_user_control: started && nC > 0 ? spendC.mean : null,
    spend_diff: spend?.diff ?? null,
    spend_ci_low: spend?.ciLow ?? null,
    spend_ci_high: spend?.ciHigh ?? null,
    spend_p_value: spend?.pValue ?? null,
    spend_df: spend?.df ?? null,
    baseline_conversion: baseline,
    mde_conversion: baseline === null ? null : (conversionMde(baseline, nT, nC) ?? null),
    baseline_spend_sd: both.n > 1 ? Math.sqrt(preSpend.variance) : null,
    mde_spend: both.n > 1 ? (meanMde(Math.sqrt(preSpend.variance), nT, nC) ?? null) : null,
  };
}
