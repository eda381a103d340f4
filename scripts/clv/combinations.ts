/**
 * Purchase predictions for each distinct (x, t_x, T) combination, the table SQL joins every
 * customer to. The spend side (Gamma-Gamma E[M]) is a closed form SQL applies itself, so a
 * customer's lifetime value is E[M] times the discounted purchases computed here.
 */
import { predictPAlive, predictPurchases, UNITS_PER_MONTH, type TimeUnit } from './predict.ts';
import type { PurchaseModel, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

export interface CombinationOptions {
  readonly timeUnit: TimeUnit;
  readonly horizonMonths: number;
  readonly monthlyDiscountRate: number;
  /** the short horizon reported as expected purchases, in the fit's unit (e.g. 90 days) */
  readonly shortHorizon: number;
}

export interface CombinationPrediction extends Row {
  readonly pAlive: number;
  /** E[Y(shortHorizon)] */
  readonly expectedShort: number;
  /** Σ_{i=1..H} (E[Y(i·u)] − E[Y((i−1)·u)]) / (1+d)^i: lifetime value per unit of order value */
  readonly discountedPurchases: number;
  /** the same for a customer known to be alive: discountedPurchases / pAlive */
  readonly discountedPurchasesIfAlive: number;
}

/**
 * Predictions per combination. In all three models E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) ·
 * E[Y(t) | alive, x, T], and the second factor does not depend on t_x (docs/clv.md, formulas):
 * so it is computed once per distinct (x, T), as E[Y(t)] / P(alive) at t_x = T, where P(alive) is
 * never 0 (1 for the Pareto/NBD, 1/(1 + a/(b+x−1)) or 1/(1 + a/(b+x)) for the BG models), and
 * multiplied by each combination's P(alive). The result equals predictPurchases and predictClv to
 * a few units in the last place (tests/unit/clv/combinations.test.ts).
 */
export function predictCombinations(
  model: PurchaseModel,
  rows: Iterable<Row>,
  options: CombinationOptions,
): CombinationPrediction[] {
  const ifAlive = new Map<string, { short: number; discounted: number }>();
  const out: CombinationPrediction[] = [];
  for (const { x, tx, T } of rows) {
    const key = `${x}|${T}`;
    let alive = ifAlive.get(key);
    if (!alive) {
      alive = aliveExpectations(model, x, T, options);
      ifAlive.set(key, alive);
    }
    const pAlive = predictPAlive(model, { x, tx, T });
    out.push({
      x,
      tx,
      T,
      pAlive,
      expectedShort: pAlive * alive.short,
      discountedPurchases: pAlive * alive.discounted,
      discountedPurchasesIfAlive: alive.discounted,
    });
  }
  return out;
}

/** E[Y | alive] over the short horizon, and discounted month by month over the long one. */
function aliveExpectations(
  model: PurchaseModel,
  x: number,
  T: number,
  options: CombinationOptions,
): { short: number; discounted: number } {
  const row = { x, tx: T, T };
  const pAlive = predictPAlive(model, row);
  const expected = (t: number): number => predictPurchases(model, row, t) / pAlive;
  const unit = UNITS_PER_MONTH[options.timeUnit];
  let discounted = 0;
  let before = 0;
  for (let month = 1; month <= options.horizonMonths; month++) {
    const upTo = expected(month * unit);
    discounted += (upTo - before) / (1 + options.monthlyDiscountRate) ** month;
    before = upTo;
  }
  return { short: expected(options.shortHorizon), discounted };
}
