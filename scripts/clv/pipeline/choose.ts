/**
 * Which purchase model a build applies: the var clv_model, or for 'auto' the one with the lowest
 * holdout error on the last clv_holdout_weeks weeks of data (docs/clv.md, "In the pipeline").
 */
import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Relation } from '../../core/types.ts';
import { bestCandidate, compareModels, evaluateNaive, type Candidate, type HoldoutRow } from '../holdout.ts';
import { PURCHASE_MODELS, daysToUnits, holdoutMonths, type ClvSettings } from '../settings.ts';
import type { PurchaseModelName } from '../types.ts';
import { readHoldoutRows } from './read.ts';

/**
 * Limits on a candidate's fit. A normal fit takes 300–500 Nelder–Mead steps. A candidate compared
 * on the holdout may take at most 2,000 steps, and at most 8 times as long as the fastest
 * candidate fitted before it (at least 1 s, at most 10 s), else it is left out of the choice. The time limit exists for the
 * Pareto/NBD, normally about 3 times slower than the BG/NBD, whose likelihood becomes ~100 times
 * slower to evaluate where its lifetime heterogeneity vanishes (s and beta large, as on data from
 * a BG-type process); scaling it by the fastest fit keeps it fair at every data size.
 */
export const CANDIDATE_FIT_LIMITS = { maxIterations: 2_000, timeFactor: 8, minTimeMs: 1_000, maxTimeMs: 10_000 } as const;

export interface Choice {
  readonly model: PurchaseModelName;
  /** how it was chosen, in words (stored in clv_fits.selection) */
  readonly selection: string;
  readonly holdout?: unknown;
}

/**
 * The var clv_model, or for 'auto' the model with the lowest mean absolute error of holdout
 * purchases per customer: each model is fitted on the purchases before the last clv_holdout_weeks
 * weeks and predicts each customer's purchases in them. When no model can be fitted on that
 * calibration period (too little data before it), the BG/NBD is used and the reason recorded.
 *
 * A discrete source (var clv_discrete_sources) always gets the BG/BB, the one model here of
 * transactions on discrete opportunities: the continuous-time models let a customer buy any number
 * of times in a month and need purchase counts at least as spread as a Poisson count's, which
 * monthly yes/no activity is not (on the airline they run off to their Poisson limit; docs/clv.md).
 * With 'auto' it is still judged on the holdout (the last whole calendar months nearest
 * clv_holdout_weeks), against the naive baseline, and the figures are recorded.
 */
export async function choosePurchaseModel(input: {
  readonly db: Kysely<unknown>;
  readonly summary: Relation;
  readonly settings: ClvSettings;
  /** the source whose customers are compared (customer_clv_summary.source) */
  readonly source: string;
}): Promise<Choice> {
  const { settings } = input;
  const period = settings.discreteSources[input.source];
  if (period !== undefined) return chooseDiscrete(input, period);
  if (settings.model !== 'auto') return { model: settings.model, selection: `var clv_model = ${settings.model}` };
  const weeks = settings.holdoutWeeks;
  const rows = await readHoldoutRows(input.db, input.summary, input.source);
  const t = daysToUnits(7 * weeks, settings.timeUnit);
  const candidates = rows.length > 0 ? await compareCandidates(rows, t, settings.minRepeatCustomers) : [];
  const best = bestCandidate(candidates);
  const holdout = {
    holdout_weeks: weeks,
    horizon_units: t,
    calibration_customers: rows.reduce((n, r) => n + r.count, 0),
    candidates: candidates.map(candidateJson),
    naive: rows.length > 0 ? evaluateNaive(rows, t) : null,
    rule: 'lowest mean absolute error of holdout purchases per customer',
  };
  if (!best) {
    const why = rows.length === 0 ? 'no customer bought before it' : candidates.map((c) => `${c.model}: ${c.error}`).join('; ');
    return { model: 'bgnbd', selection: `auto: no model could be judged on the last ${weeks} weeks (${why}); bgnbd by default`, holdout };
  }
  const maes = candidates.map((c) => `${c.model} ${c.metrics ? c.metrics.mae.toFixed(4) : 'failed'}`).join(', ');
  return {
    model: best.model,
    selection: `auto: lowest holdout MAE per customer over the last ${weeks} weeks (${maes})`,
    holdout,
  };
}

/** The BG/BB for a discrete source; with 'auto', its holdout figures against the naive baseline. */
async function chooseDiscrete(
  input: { readonly db: Kysely<unknown>; readonly summary: Relation; readonly settings: ClvSettings; readonly source: string },
  period: string,
): Promise<Choice> {
  const { settings } = input;
  const why = `discrete source (var clv_discrete_sources: one opportunity per calendar ${period}): bgbb`;
  if (settings.model !== 'auto') return { model: 'bgbb', selection: `${why}; var clv_model = ${settings.model} applies to the other sources` };
  const months = holdoutMonths(settings.holdoutWeeks);
  const rows = await readHoldoutRows(input.db, input.summary, input.source);
  const { maxIterations, maxTimeMs } = CANDIDATE_FIT_LIMITS;
  const candidates =
    rows.length > 0 ? compareModels(['bgbb'], rows, months, { minRepeatCustomers: settings.minRepeatCustomers, maxIterations, timeLimitMs: maxTimeMs }) : [];
  const naive = rows.length > 0 ? evaluateNaive(rows, months) : null;
  const holdout = {
    holdout_months: months,
    horizon_units: months,
    calibration_customers: rows.reduce((n, r) => n + r.count, 0),
    candidates: candidates.map(candidateJson),
    naive,
    rule: 'discrete source: bgbb, the one model of discrete opportunities; judged on the holdout, not chosen by it',
  };
  const [candidate] = candidates;
  const figures = candidate?.metrics
    ? `holdout MAE per customer over the last ${months} calendar months ${candidate.metrics.mae.toFixed(4)} (naive ${naive!.mae.toFixed(4)})`
    : `not judged on the last ${months} calendar months (${rows.length === 0 ? 'no customer bought before them' : candidate?.error})`;
  return { model: 'bgbb', selection: `${why}; ${figures}`, holdout };
}

/** compareModels, one model at a time, each with the time limit the faster ones set. */
async function compareCandidates(rows: readonly HoldoutRow[], t: number, minRepeatCustomers: number): Promise<Candidate[]> {
  const { maxIterations, timeFactor, minTimeMs, maxTimeMs } = CANDIDATE_FIT_LIMITS;
  const candidates: Candidate[] = [];
  let fastest = Infinity;
  for (const model of PURCHASE_MODELS) {
    const timeLimitMs = Math.min(maxTimeMs, Math.max(minTimeMs, timeFactor * fastest));
    const started = performance.now();
    const [candidate] = compareModels([model], rows, t, { minRepeatCustomers, maxIterations, timeLimitMs });
    if (candidate!.fit) fastest = Math.min(fastest, performance.now() - started);
    candidates.push(candidate!);
    // A fit on the build's thread holds its event loop: the build notices a node that finished
    // meanwhile only when the fit lets go. Between candidates it does, so the nodes waiting for
    // that one start beside the next fit (on Online Retail customer_rfm ended with the three fits,
    // 2.2 s after it started, and k-means after it; docs/benchmarks.md).
    await setImmediate();
  }
  return candidates;
}

function candidateJson(c: Candidate): Record<string, unknown> {
  return {
    model: c.model,
    params: c.fit?.params ?? null,
    log_likelihood: c.fit?.logLikelihood ?? null,
    converged: c.fit?.converged ?? false,
    error: c.error ?? null,
    metrics: c.metrics ?? null,
  };
}

