/**
 * The lifetime-value vars a build reads, checked. The SQL model customer_clv_summary checks the
 * same vars at compile time (so a bad value stops a build before it starts); this is the
 * TypeScript side's copy of those rules, with the same defaults.
 */
import { UsageError } from '../core/errors.ts';
import { UNITS_PER_MONTH, type TimeUnit } from './predict.ts';
import type { PurchaseModelName } from './types.ts';

export const PURCHASE_MODELS: readonly PurchaseModelName[] = ['bgnbd', 'mbgnbd', 'pareto'];

/** `clv_time_unit` values and the library's names for them. */
export const TIME_UNITS = { day: 'days', week: 'weeks', month: 'months' } as const satisfies Record<string, TimeUnit>;
export type TimeUnitVar = keyof typeof TIME_UNITS;

/** Calendar days in one unit: whole days and weeks; a month is 365.25 / 12 days. */
export const DAYS_PER_UNIT: Readonly<Record<TimeUnitVar, number>> = { day: 1, week: 7, month: 365.25 / 12 };

export const CLV_VAR_DEFAULTS = {
  clv_model: 'auto',
  clv_time_unit: 'week',
  clv_horizon_months: 12,
  clv_discount_rate: 0.01,
  clv_holdout_weeks: 13,
  clv_spend_sample: 20_000,
  clv_min_repeat_customers: 10,
  clv_discrete_sources: {},
} as const;

/** The periods a discrete source's opportunities can be: a calendar month. */
export const DISCRETE_PERIODS = ['month'] as const;
export type DiscretePeriod = (typeof DISCRETE_PERIODS)[number];

/** A discrete source's time unit in customer_clv_summary, clv_predictions and clv_fits. */
export const CALENDAR_MONTH = 'calendar_month';

export interface ClvSettings {
  /** a purchase model, or 'auto': chosen by holdout error inside the build */
  readonly model: PurchaseModelName | 'auto';
  readonly timeUnit: TimeUnitVar;
  readonly horizonMonths: number;
  /** per month */
  readonly discountRate: number;
  /** the last weeks of data held out when `model` is 'auto' */
  readonly holdoutWeeks: number;
  /** repeat customers (a deterministic sample) the Gamma-Gamma spend model is fitted on */
  readonly spendSample: number;
  /** fewer repeat customers than this is an error */
  readonly minRepeatCustomers: number;
  /**
   * Sources (silver orders.source) whose activity lives on a grid of discrete opportunities,
   * with the period of one opportunity: summarised in calendar months and fitted by the BG/BB
   * (docs/clv.md, "Discrete sources"). The others use `model` in continuous time.
   */
  readonly discreteSources: Readonly<Record<string, DiscretePeriod>>;
}

/** Reads and checks the clv_* vars; a bad value is a UsageError naming the var. */
export function clvSettings(vars: Readonly<Record<string, unknown>>): ClvSettings {
  const get = <K extends keyof typeof CLV_VAR_DEFAULTS>(name: K): unknown =>
    vars[name] === undefined || vars[name] === null ? CLV_VAR_DEFAULTS[name] : vars[name];
  const model = get('clv_model');
  if (model !== 'auto' && !(PURCHASE_MODELS as readonly unknown[]).includes(model)) {
    throw new UsageError(`var clv_model must be one of auto, ${PURCHASE_MODELS.join(', ')}; got ${JSON.stringify(model)}`);
  }
  const unit = get('clv_time_unit');
  if (typeof unit !== 'string' || !Object.hasOwn(TIME_UNITS, unit)) {
    throw new UsageError(`var clv_time_unit must be one of ${Object.keys(TIME_UNITS).join(', ')}; got ${JSON.stringify(unit)}`);
  }
  const rate = get('clv_discount_rate');
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new UsageError(`var clv_discount_rate must be a monthly rate from 0 to below 1 (0.01 = 1%); got ${JSON.stringify(rate)}`);
  }
  return {
    model: model as ClvSettings['model'],
    timeUnit: unit as TimeUnitVar,
    horizonMonths: integer('clv_horizon_months', get('clv_horizon_months'), 1, 120),
    discountRate: rate,
    holdoutWeeks: integer('clv_holdout_weeks', get('clv_holdout_weeks'), 1, 520),
    spendSample: integer('clv_spend_sample', get('clv_spend_sample'), 100, 1_000_000),
    minRepeatCustomers: integer('clv_min_repeat_customers', get('clv_min_repeat_customers'), 1, Number.MAX_SAFE_INTEGER),
    discreteSources: discreteSources(get('clv_discrete_sources')),
  };
}

function discreteSources(value: unknown): Record<string, DiscretePeriod> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`var clv_discrete_sources must be a mapping of source to period, e.g. {stg_airline_flight_activity: month}; got ${JSON.stringify(value)}`);
  }
  const out: Record<string, DiscretePeriod> = {};
  for (const [source, period] of Object.entries(value)) {
    if (!(DISCRETE_PERIODS as readonly unknown[]).includes(period)) {
      throw new UsageError(`var clv_discrete_sources: the period of source ${source} must be one of ${DISCRETE_PERIODS.join(', ')}; got ${JSON.stringify(period)}`);
    }
    out[source] = period as DiscretePeriod;
  }
  return out;
}

/**
 * A discrete source's holdout in whole calendar months: the number nearest clv_holdout_weeks
 * weeks, at least 1 (13 weeks: 3). customer_clv_summary.sql computes the same.
 */
export function holdoutMonths(holdoutWeeks: number): number {
  return Math.max(1, Math.round((7 * holdoutWeeks) / DAYS_PER_UNIT.month));
}

/** A short horizon of `days` in whole opportunities of a calendar month (90 days: 3). */
export function daysToMonths(days: number): number {
  return Math.max(1, Math.round(days / DAYS_PER_UNIT.month));
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`var ${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `days` calendar days in the unit of the fit (90 days = 12.857… weeks). */
export function daysToUnits(days: number, unit: TimeUnitVar): number {
  return days / DAYS_PER_UNIT[unit];
}

/** Time units per month, as predictClv counts them. */
export function unitsPerMonth(unit: TimeUnitVar): number {
  return UNITS_PER_MONTH[TIME_UNITS[unit]];
}
