/**
 * Per-customer predictions from fitted parameters: pure functions of one summary row, each a
 * closed form that docs/clv.md writes out for porting to SQL.
 */
import { StrataError } from '../core/errors.ts';
import { bgbbConditionalExpectedPurchases, bgbbExpectedPurchases, bgbbPAlive } from './bgbb.ts';
import { bgnbdConditionalExpectedPurchases, bgnbdExpectedPurchases, bgnbdPAlive } from './bgnbd.ts';
import { gammaGammaExpectedSpend } from './gamma-gamma.ts';
import { mbgnbdConditionalExpectedPurchases, mbgnbdExpectedPurchases, mbgnbdPAlive } from './mbgnbd.ts';
import {
  paretoConditionalExpectedPurchases,
  paretoExpectedPurchases,
  paretoPAlive,
} from './pareto.ts';
import type { FitResult, GammaGammaParams, PurchaseModel, SummaryRow } from './types.ts';

type Row = Pick<SummaryRow, 'x' | 'tx' | 'T'>;

/**
 * Time units in an average calendar month (365.25 / 12 days). lifetimes rounds these to 30
 * days and 4.345 weeks; the difference moves a 12-month value by well under 1%.
 */
export const UNITS_PER_MONTH = { days: 365.25 / 12, weeks: 365.25 / 12 / 7, months: 1 } as const;
export type TimeUnit = keyof typeof UNITS_PER_MONTH;

/**
 * Probability that the customer is still active at the end of the observation (time T; for the
 * BG/BB, at the next opportunity n + 1).
 */
export function predictPAlive(model: PurchaseModel, row: Row): number {
  return finite(pAlive(model, row), model, 'P(alive)', row);
}

function pAlive(model: PurchaseModel, row: Row): number {
  switch (model.model) {
    case 'bgnbd':
      return bgnbdPAlive(model.params, row);
    case 'mbgnbd':
      return mbgnbdPAlive(model.params, row);
    case 'pareto':
      return paretoPAlive(model.params, row);
    case 'bgbb':
      return bgbbPAlive(model.params, row);
  }
}

/**
 * Expected repeat purchases in (T, T + t] given the customer's history, t in the fit's unit (for
 * the BG/BB, the next t opportunities: t must be a whole number).
 */
export function predictPurchases(model: PurchaseModel, row: Row, t: number): number {
  return finite(conditionalPurchases(model, row, t), model, `expected purchases in the next ${t}`, row);
}

function conditionalPurchases(model: PurchaseModel, row: Row, t: number): number {
  switch (model.model) {
    case 'bgnbd':
      return bgnbdConditionalExpectedPurchases(model.params, row, t);
    case 'mbgnbd':
      return mbgnbdConditionalExpectedPurchases(model.params, row, t);
    case 'pareto':
      return paretoConditionalExpectedPurchases(model.params, row, t);
    case 'bgbb':
      return bgbbConditionalExpectedPurchases(model.params, row, t);
  }
}

/** Expected repeat purchases in (0, t] of a customer just acquired (no history). */
export function predictPurchasesNewCustomer(model: PurchaseModel, t: number): number {
  return finite(newCustomerPurchases(model, t), model, `expected purchases of a new customer in ${t}`);
}

function newCustomerPurchases(model: PurchaseModel, t: number): number {
  switch (model.model) {
    case 'bgnbd':
      return bgnbdExpectedPurchases(model.params, t);
    case 'mbgnbd':
      return mbgnbdExpectedPurchases(model.params, t);
    case 'pareto':
      return paretoExpectedPurchases(model.params, t);
    case 'bgbb':
      return bgbbExpectedPurchases(model.params, t);
  }
}

/** The value, or a StrataError naming the model, the quantity and the customer's summary. */
function finite(value: number, model: PurchaseModel, what: string, row?: Row): number {
  if (Number.isFinite(value)) return value;
  const params = Object.entries(model.params)
    .map(([name, v]) => `${name}=${v}`)
    .join(', ');
  const who = row ? ` for x=${row.x}, t_x=${row.tx}, T=${row.T}` : '';
  throw new StrataError(`${model.model} (${params}): ${what}${who} is not a finite number`);
}

/** Expected value of the customer's future orders (Gamma-Gamma); the population mean when x = 0. */
export function predictSpend(spend: GammaGammaParams, row: Pick<SummaryRow, 'x' | 'monetary'>): number {
  return gammaGammaExpectedSpend(spend, row);
}

export interface ClvOptions {
  /** the time unit of x, t_x, T and of the fitted parameters */
  readonly timeUnit: TimeUnit;
  /** default 12 */
  readonly horizonMonths?: number;
  /** per month; default 0.01 */
  readonly monthlyDiscountRate?: number;
}

/**
 * Discounted value of the customer's purchases over the next `horizonMonths` months:
 *   Σ_{i=1..H} [E(Y(i·u)) − E(Y((i−1)·u))] · E[M] / (1 + d)^i,  u = time units per month,
 * i.e. each month's expected purchases, valued at the expected order value, discounted at the
 * end of the month (the convention of lifetimes' customer_lifetime_value).
 */
export function predictClv(
  model: PurchaseModel,
  spend: GammaGammaParams,
  row: SummaryRow,
  options: ClvOptions,
): number {
  const horizon = options.horizonMonths ?? 12;
  const rate = options.monthlyDiscountRate ?? 0.01;
  const unit = UNITS_PER_MONTH[options.timeUnit];
  const orderValue = predictSpend(spend, row);
  let value = 0;
  let before = 0;
  for (let month = 1; month <= horizon; month++) {
    const upTo = predictPurchases(model, row, month * unit);
    value += ((upTo - before) * orderValue) / (1 + rate) ** month;
    before = upTo;
  }
  return value;
}

/** A purchase model from a fit's named parameters (e.g. read back from a parameters table). */
export function toPurchaseModel(fit: Pick<FitResult, 'model' | 'params'>): PurchaseModel {
  const get = (name: string): number => {
    const value = fit.params[name];
    if (value === undefined || !(value > 0)) {
      throw new StrataError(`${fit.model} parameters: "${name}" must be a positive number, got ${value}`);
    }
    return value;
  };
  const probability = (name: string): number => {
    const value = fit.params[name]!;
    if (!(value >= 0 && value < 1)) throw new StrataError(`${fit.model} parameters: "${name}" must be a probability below 1, got ${value}`);
    return value;
  };
  switch (fit.model) {
    case 'bgnbd':
    case 'mbgnbd':
      return { model: fit.model, params: { r: get('r'), alpha: get('alpha'), a: get('a'), b: get('b') } };
    case 'pareto':
      return { model: 'pareto', params: { r: get('r'), alpha: get('alpha'), s: get('s'), beta: get('beta') } };
    case 'bgbb':
      // the drop-out as a Beta, or one probability theta for everyone (the fit's boundary; 0 ≤ theta < 1)
      if (fit.params['theta'] !== undefined) return { model: 'bgbb', params: { alpha: get('alpha'), beta: get('beta'), theta: probability('theta') } };
      return { model: 'bgbb', params: { alpha: get('alpha'), beta: get('beta'), gamma: get('gamma'), delta: get('delta') } };
    case 'gammagamma':
      throw new StrataError('gammagamma is a spend model; a purchase model (bgnbd, mbgnbd, pareto, bgbb) is needed');
  }
}
