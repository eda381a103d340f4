/**
 * The lifetime-value step of a build (the TypeScript model clv_predictions): for each source of
 * customer_clv_summary, choose and fit the purchase model on its distinct (x, t_x, age)
 * combinations, fit the Gamma-Gamma spend model on a bounded sample of its repeat customers,
 * record both fits in strata_meta.clv_fits, and write one prediction row per source and
 * combination. Nothing here reads
 * customers one by one: every query returns a bounded number of rows.
 */
import type { Kysely } from 'kysely';
import { StrataError } from '../../core/errors.ts';
import type { Relation } from '../../core/types.ts';
import { decideRefit } from '../../core/refit-policy.ts';
import { predictCombinations, type CombinationPrediction } from '../combinations.ts';
import { fitModel } from '../fit.ts';
import { toPurchaseModel } from '../predict.ts';
import { CALENDAR_MONTH, DAYS_PER_UNIT, TIME_UNITS, daysToMonths, daysToUnits, type ClvSettings } from '../settings.ts';
import type { FitResult, GammaGammaParams, ModelName, PurchaseModelName, SummaryRow } from '../types.ts';
import { choosePurchaseModel } from './choose.ts';
import { readCombinations, readSources, readSpendSample } from './read.ts';
import { publishedClvFit } from './kept-fit.ts';
import { jsonSafe, recordFit } from './record.ts';
import { createPredictionTable, purchasesOf, writePredictions } from './write.ts';

export interface ClvRunInput {
  readonly db: Kysely<unknown>;
  /** customer_clv_summary */
  readonly summary: Relation;
  /** the prediction table to create */
  readonly out: Relation;
  readonly settings: ClvSettings;
  readonly buildId: number;
  /** the published clv_predictions, whose fits a build may keep (scripts/core/refit-policy.ts) */
  readonly published: Relation | undefined;
  /** the refit rule's inputs: --full-refresh and var refit_growth */
  readonly refit: { readonly fullRefresh: boolean; readonly share: number };
  readonly log: (message: string) => void;
}

/** What one source's fits gave: its predictions, or why it has none. */
export type SourceOutcome =
  | {
      readonly source: string;
      readonly status: 'fitted';
      readonly model: PurchaseModelName;
      readonly selection: string;
      readonly customers: number;
      readonly combinations: number;
      readonly purchaseFit: FitResult;
      readonly spendFit: FitResult;
      /** milliseconds per step */
      readonly timings: Readonly<Record<'read' | 'choose' | 'fit' | 'spend' | 'predict' | 'write', number>>;
    }
  | {
      readonly source: string;
      /** the published fit was kept (the refit rule) and the source's combinations re-scored with it */
      readonly status: 'kept';
      readonly model: PurchaseModelName;
      /** the build that made the fit, as written in the predictions' build_id */
      readonly fitBuild: number;
      readonly combinations: number;
    }
  | {
      readonly source: string;
      readonly status: 'failed';
      /** the model whose fit failed (the purchase model or gammagamma) */
      readonly model: ModelName;
      readonly error: string;
    };

export interface ClvRunResult {
  /** one per source of customer_clv_summary, in source order */
  readonly sources: readonly SourceOutcome[];
  /** prediction rows written over all fitted sources */
  readonly combinations: number;
}

/** Expected purchases are reported over this many days (the column expected_purchases_90d). */
export const SHORT_HORIZON_DAYS = 90;

/** The applied fit may take 4,000 Nelder–Mead steps (a normal fit takes 300–500), else the source has no CLV. */
export const FINAL_FIT_LIMITS = { maxIterations: 4_000 } as const;

/**
 * Fits every source of customer_clv_summary on its own customers (silver's orders.source), so one
 * domain's purchase rhythm never shapes another's parameters, and writes their predictions into
 * one table. A source whose fit fails (too few repeat customers, no convergence, q ≤ 1) is
 * recorded with its error in strata_meta.clv_fits, logged as a warning, and gets no prediction
 * rows: its customers have no row in customer_clv, and the data test
 * clv_sources_without_lifetime_value warns in the build summary. Non-converged parameters are
 * never written.
 */
export async function runClvPredictions(input: ClvRunInput): Promise<ClvRunResult> {
  const sources = await readSources(input.db, input.summary);
  if (sources.length === 0) throw new StrataError('customer_clv_summary is empty, so there is nothing to fit');
  await createPredictionTable(input.db, input.out);
  const outcomes: SourceOutcome[] = [];
  for (const source of sources) {
    try {
      outcomes.push(await runSource(input, source));
    } catch (error) {
      if (!(error instanceof SourceFitFailed)) throw error;
      input.log(`warning: source ${source} is published without lifetime value: ${error.model} fit failed: ${error.message}`);
      outcomes.push({ source, status: 'failed', model: error.model, error: error.message });
    }
  }
  let combinations = 0;
  for (const outcome of outcomes) if (outcome.status !== 'failed') combinations += outcome.combinations;
  return { sources: outcomes, combinations };
}

/** A fit of one source that failed, already recorded; the other sources go on. */
class SourceFitFailed extends StrataError {
  constructor(
    readonly model: ModelName,
    cause: StrataError,
  ) {
    super(cause.message, { cause });
  }
}

async function runSource(input: ClvRunInput, source: string): Promise<SourceOutcome & { status: 'fitted' | 'kept' }> {
  const { db, summary, settings } = input;
  const clock = stopwatch();
  const combinations = await readCombinations(db, summary, source);
  const read = clock();
  const kept = await keptFit(input, source, combinations);
  if (kept) return kept;

  const choice = await choosePurchaseModel({ ...input, source });
  const choose = clock();
  // a discrete source is summarised in calendar months, one opportunity each (docs/clv.md, "Discrete sources")
  const discrete = settings.discreteSources[source] !== undefined;
  const timeUnit = discrete ? CALENDAR_MONTH : settings.timeUnit;
  const record = { buildId: input.buildId, source, timeUnit, selection: choice.selection, settings: settingsJson(settings) };
  const purchaseFit = await fitRecorded(input, choice.model, combinations, { ...record, holdout: choice.holdout });
  const fit = clock();

  const sample = await readSpendSample(db, summary, source, settings.spendSample);
  const spendFit = await fitRecorded(input, 'gammagamma', sample.rows, record);
  const spend = spendParams(spendFit);
  const spendMs = clock();

  const predictions = predict(input, source, purchaseFit, combinations);
  const predict_ = clock();
  await write(input, source, { model: choice.model, spend, buildId: input.buildId, fitPurchases: purchasesOf(combinations) }, predictions, combinations);
  const written = clock();

  for (const warning of [...purchaseFit.warnings, ...spendFit.warnings]) input.log(`warning: ${source}: ${warning}`);
  input.log(
    `${source}: ${choice.model}${purchaseFit.boundary ? ` where ${purchaseFit.boundary}` : ''} (${choice.selection}) on ${purchaseFit.customers} customers, ${combinations.length} distinct (x, t_x, age) ` +
      `in ${timeUnit}s; Gamma-Gamma on ${spendFit.customers} of ${sample.repeatCustomers} repeat customers; ` +
      `read ${ms(read)}, choose ${ms(choose)}, fit ${ms(fit)}, spend ${ms(spendMs)}, predict ${ms(predict_)}, write ${ms(written)}`,
  );
  return {
    source,
    status: 'fitted',
    model: choice.model,
    selection: choice.selection,
    customers: purchaseFit.customers,
    combinations: combinations.length,
    purchaseFit,
    spendFit,
    timings: { read, choose, fit, spend: spendMs, predict: predict_, write: written },
  };
}

/**
 * Keeps the source's published fit when the refit rule allows (scripts/core/refit-policy.ts):
 * its combinations are scored with the kept parameters exactly as a fresh fit's would be, and
 * the rows name the fit's build. Undefined when the source is to be refitted.
 */
async function keptFit(input: ClvRunInput, source: string, combinations: readonly SummaryRow[]): Promise<(SourceOutcome & { status: 'kept' }) | undefined> {
  const population = combinations.reduce((n, c) => n + (c.count ?? 1), 0);
  const published = await publishedClvFit(input.db, input.published, source, jsonSafe(settingsJson(input.settings)));
  const decision = decideRefit({ ...input.refit, population, purchases: purchasesOf(combinations), published: published?.fit });
  if (decision.refit || !published) {
    input.log(`${source}: refitting: ${decision.reason}`);
    return undefined;
  }
  const started = performance.now();
  const predictions = predict(input, source, published, combinations);
  await write(input, source, { model: published.model, spend: published.spend, buildId: decision.fitBuild, fitPurchases: published.fit.purchases }, predictions, combinations);
  input.log(`${source}: kept the ${published.model} and Gamma-Gamma fits of build ${decision.fitBuild}: ${decision.reason}; scored ${combinations.length} distinct (x, t_x, age) in ${ms(performance.now() - started)}`);
  return { source, status: 'kept', model: published.model, fitBuild: decision.fitBuild, combinations: combinations.length };
}

/** The purchase model's predictions for every combination, in the source's time unit. */
function predict(
  input: ClvRunInput,
  source: string,
  fit: Pick<FitResult, 'params'> & { readonly model: ModelName },
  combinations: readonly SummaryRow[],
): CombinationPrediction[] {
  const { settings } = input;
  const discrete = settings.discreteSources[source] !== undefined;
  return predictCombinations(toPurchaseModel(fit), combinations, {
    timeUnit: discrete ? 'months' : TIME_UNITS[settings.timeUnit],
    horizonMonths: settings.horizonMonths,
    monthlyDiscountRate: settings.discountRate,
    // on a grid the next 90 days are the next 3 whole opportunities
    shortHorizon: discrete ? daysToMonths(SHORT_HORIZON_DAYS) : daysToUnits(SHORT_HORIZON_DAYS, settings.timeUnit),
  });
}

/** Writes one source's prediction rows, naming the build whose fit they come from. */
async function write(
  input: ClvRunInput,
  source: string,
  fit: { readonly model: PurchaseModelName; readonly spend: GammaGammaParams; readonly buildId: number; readonly fitPurchases: number },
  predictions: readonly CombinationPrediction[],
  combinations: readonly SummaryRow[],
): Promise<void> {
  const { settings } = input;
  await writePredictions(input.db, input.out, predictions, combinations.map((c) => c.count ?? 1), {
    source,
    ...fit,
    // a discrete source is summarised in calendar months, one opportunity each (docs/clv.md, "Discrete sources")
    timeUnit: settings.discreteSources[source] !== undefined ? CALENDAR_MONTH : settings.timeUnit,
    horizonMonths: settings.horizonMonths,
    discountRate: settings.discountRate,
  });
}

/**
 * Fits one model and records it; a fit that fails (too few repeat customers, no convergence) is
 * recorded with its error and then ends its source's run (SourceFitFailed).
 */
async function fitRecorded(
  input: ClvRunInput,
  model: ModelName,
  rows: readonly SummaryRow[],
  record: { buildId: number; source: string; timeUnit: string; selection: string; settings: unknown; holdout?: unknown },
): Promise<FitResult> {
  const started = performance.now();
  let fit: FitResult | undefined;
  let failure: StrataError | undefined;
  try {
    fit = fitModel(model, rows, {
      minRepeatCustomers: input.settings.minRepeatCustomers,
      requireConvergence: false,
      ...FINAL_FIT_LIMITS,
    });
    if (!fit.converged) {
      failure = new StrataError(
        `${model} fit did not converge: ${fit.collapsed ?? `no optimum found after ${fit.iterations} iterations`} ` +
          `(log-likelihood ${fit.logLikelihood}, parameters ${JSON.stringify(fit.params)})`,
      );
    } else if (model === 'gammagamma' && !(fit.params['q']! > 1)) {
      failure = new StrataError(
        `gammagamma fit: q = ${fit.params['q']} <= 1, so the population mean order value p·v/(q − 1) does not exist ` +
          `and customers without a repeat purchase cannot be valued`,
      );
    }
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    failure = error;
  }
  await recordFit(input.db, {
    ...record,
    model,
    ...(fit ? { fit } : {}),
    ...(failure ? { error: failure.message } : {}),
    fitMs: performance.now() - started,
  });
  if (failure) throw new SourceFitFailed(model, failure);
  return fit!;
}

function spendParams(fit: FitResult): GammaGammaParams {
  return { p: fit.params['p']!, q: fit.params['q']!, v: fit.params['v']! };
}

function settingsJson(s: ClvSettings): Record<string, unknown> {
  return {
    clv_model: s.model,
    clv_time_unit: s.timeUnit,
    days_per_unit: DAYS_PER_UNIT[s.timeUnit],
    clv_horizon_months: s.horizonMonths,
    clv_discount_rate: s.discountRate,
    clv_holdout_weeks: s.holdoutWeeks,
    clv_spend_sample: s.spendSample,
    clv_min_repeat_customers: s.minRepeatCustomers,
    clv_discrete_sources: s.discreteSources,
  };
}

/** Each call returns the milliseconds since the previous one. */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
