/**
 * What the fitter needs to know about each model: which summary fields it reads, its
 * parameters' names (as in the papers) and order, its log-likelihood, and where to start.
 */
import { bgbbLogLikelihoodSum } from './bgbb.ts';
import { bgnbdLogLikelihoodSum } from './bgnbd.ts';
import { gammaGammaLogLikelihoodSum } from './gamma-gamma.ts';
import { mbgnbdLogLikelihoodSum } from './mbgnbd.ts';
import { paretoLogLikelihoodSum } from './pareto.ts';
import type { SummaryKind } from './summary.ts';
import type { BgbbBetaParams, BgParams, GammaGammaParams, ModelName, ParetoParams, SummaryRow } from './types.ts';

export interface ModelSpec {
  readonly kind: SummaryKind;
  readonly paramNames: readonly string[];
  /** Σ count · ln L over distinct rows; parameters in `paramNames` order */
  readonly logLikelihood: (values: readonly number[], rows: readonly SummaryRow[]) => number;
  /**
   * A start for the optimiser from the data's scale. Only the time-scale parameters (alpha,
   * beta, v) need it: the rest are shapes near 1 in every data set we know, and the optimiser
   * works on their logarithms, where the distance from 1 to the optimum is small.
   */
  readonly start: (rows: readonly SummaryRow[]) => number[];
  /**
   * The Beta mixing distributions among the parameters (indices of their two shapes, and what
   * they are the distribution of). A fit whose likelihood does not fall when both shapes of one
   * are multiplied by 10 (same mean, a third of the spread) is on a ridge rising towards the
   * boundary where every customer has the same probability: no interior optimum (fit.ts). Only
   * the BG/BB has them.
   */
  readonly betaMixtures?: readonly BetaMixture[];
  /**
   * Models nested in this one at a boundary of its parameter space, fitted instead when the
   * optimum lies on that boundary rather than inside (fit.ts): the maximum-likelihood fit of the
   * boundary model is the maximum-likelihood fit of this one, with the parameters that ran off
   * replaced by their limit.
   */
  readonly boundaries?: readonly Boundary[];
}

/** A model nested at a boundary of another's parameter space (see ModelSpec.boundaries). */
export interface Boundary {
  /** reached when this Beta mixture (BetaMixture.of) collapsed to a point, or this parameter ran off towards 0 */
  readonly reached: { readonly collapsed: string } | { readonly toZero: string };
  /** what the boundary means, e.g. "every customer has the same drop-out probability" */
  readonly meaning: string;
  readonly spec: ModelSpec;
  /** parameters held at their limit there, reported with the fitted ones */
  readonly fixed?: Readonly<Record<string, number>>;
}

/** Two shape parameters of one Beta distribution (see ModelSpec.betaMixtures). */
export interface BetaMixture {
  readonly shapes: readonly [number, number];
  /** what the distribution is of, e.g. "drop-out probability" */
  readonly of: string;
}

const bg = ([r, alpha, a, b]: readonly number[]): BgParams => ({ r: r!, alpha: alpha!, a: a!, b: b! });
const pareto = ([r, alpha, s, beta]: readonly number[]): ParetoParams => ({
  r: r!,
  alpha: alpha!,
  s: s!,
  beta: beta!,
});
const bgbb = ([alpha, beta, gamma, delta]: readonly number[]): BgbbBetaParams => ({
  alpha: alpha!,
  beta: beta!,
  gamma: gamma!,
  delta: delta!,
});
const gg = ([p, q, v]: readonly number[]): GammaGammaParams => ({ p: p!, q: q!, v: v! });

/** Mean time per repeat purchase, the scale of alpha (1 / purchase rate). */
function timePerPurchase(rows: readonly SummaryRow[]): number {
  let purchases = 0;
  let time = 0;
  for (const { x, T, count = 1 } of rows) {
    purchases += count * x;
    time += count * T;
  }
  return time / Math.max(purchases, 1);
}

function meanT(rows: readonly SummaryRow[]): number {
  let n = 0;
  let time = 0;
  for (const { T, count = 1 } of rows) {
    n += count;
    time += count * T;
  }
  return time / n;
}

function meanSpend(rows: readonly SummaryRow[]): number {
  let n = 0;
  let spend = 0;
  for (const { monetary = 0, count = 1 } of rows) {
    n += count;
    spend += count * monetary;
  }
  return spend / n;
}

const TRANSACTION_PROBABILITY: BetaMixture = { shapes: [0, 1], of: 'transaction probability' };
const HOMOGENEOUS_DROP_OUT = 'every customer has the same drop-out probability theta (gamma + delta → ∞)';

/** The BG/BB when nobody drops out (theta = 0): monthly transactions are Beta-Bernoulli for ever. */
const BGBB_NO_DROP_OUT: ModelSpec = {
  kind: 'opportunity',
  paramNames: ['alpha', 'beta'],
  logLikelihood: ([alpha, beta], rows) => bgbbLogLikelihoodSum({ alpha: alpha!, beta: beta!, theta: 0 }, rows),
  start: () => [1, 1],
  betaMixtures: [TRANSACTION_PROBABILITY],
};

/**
 * The BG/BB with one drop-out probability theta for every customer (BgbbHomogeneousParams). theta
 * is a probability, fitted on its logarithm like every parameter: at theta ≥ 1 the likelihood is
 * 0. Where theta runs off towards 0 nobody drops out (BGBB_NO_DROP_OUT).
 */
const BGBB_HOMOGENEOUS: ModelSpec = {
  kind: 'opportunity',
  paramNames: ['alpha', 'beta', 'theta'],
  logLikelihood: ([alpha, beta, theta], rows) =>
    theta! < 1 ? bgbbLogLikelihoodSum({ alpha: alpha!, beta: beta!, theta: theta! }, rows) : -Infinity,
  start: () => [1, 1, 0.1],
  betaMixtures: [TRANSACTION_PROBABILITY],
  boundaries: [
    { reached: { toZero: 'theta' }, meaning: 'nobody drops out (theta = 0)', spec: BGBB_NO_DROP_OUT, fixed: { theta: 0 } },
  ],
};

export const MODELS: Readonly<Record<ModelName, ModelSpec>> = {
  bgnbd: {
    kind: 'purchase',
    paramNames: ['r', 'alpha', 'a', 'b'],
    logLikelihood: (values, rows) => bgnbdLogLikelihoodSum(bg(values), rows),
    start: (rows) => [1, timePerPurchase(rows), 1, 1],
  },
  mbgnbd: {
    kind: 'purchase',
    paramNames: ['r', 'alpha', 'a', 'b'],
    logLikelihood: (values, rows) => mbgnbdLogLikelihoodSum(bg(values), rows),
    start: (rows) => [1, timePerPurchase(rows), 1, 1],
  },
  pareto: {
    kind: 'purchase',
    paramNames: ['r', 'alpha', 's', 'beta'],
    logLikelihood: (values, rows) => paretoLogLikelihoodSum(pareto(values), rows),
    start: (rows) => [1, timePerPurchase(rows), 1, meanT(rows)],
  },
  bgbb: {
    kind: 'opportunity',
    paramNames: ['alpha', 'beta', 'gamma', 'delta'],
    logLikelihood: (values, rows) => bgbbLogLikelihoodSum(bgbb(values), rows),
    // all four are shapes of Beta distributions and carry no time scale; 1 is the uniform prior
    start: () => [1, 1, 1, 1],
    betaMixtures: [TRANSACTION_PROBABILITY, { shapes: [2, 3], of: 'drop-out probability' }],
    boundaries: [{ reached: { collapsed: 'drop-out probability' }, meaning: HOMOGENEOUS_DROP_OUT, spec: BGBB_HOMOGENEOUS }],
  },
  gammagamma: {
    kind: 'spend',
    paramNames: ['p', 'q', 'v'],
    logLikelihood: (values, rows) => gammaGammaLogLikelihoodSum(gg(values), rows),
    // E[m] = p·v/(q − 1): with p = 1, q = 2 the start reproduces the observed mean spend
    start: (rows) => [1, 2, meanSpend(rows)],
  },
};
