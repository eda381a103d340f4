/**
 * The plain data of the lifetime-value models: a customer's summary, the fitted parameters
 * and what a fit reports. Times (t_x, T, horizons) are in one unit chosen by the caller
 * (days, weeks, …); the parameters that carry time (alpha, beta) are then in that unit too.
 */

/**
 * Purchase models of the "buy 'til you die" family: three in continuous time, and the BG/BB for
 * transactions on a grid of discrete opportunities (a calendar month).
 */
export type PurchaseModelName = 'bgnbd' | 'mbgnbd' | 'pareto' | 'bgbb';
/** Every model `fitModel` knows: the purchase models and the spend model. */
export type ModelName = PurchaseModelName | 'gammagamma';

export const MODEL_NAMES: readonly ModelName[] = ['bgnbd', 'mbgnbd', 'pareto', 'bgbb', 'gammagamma'];

/**
 * One customer (or, with `count`, that many identical customers).
 * x = repeat purchases (the first purchase is not counted), tx = time from the first to the
 * last repeat purchase (0 when x = 0), T = time from the first purchase to the end of the
 * calibration period. `monetary` is the mean value of the repeat purchases (Gamma-Gamma only).
 * For the BG/BB (discrete opportunities) x counts opportunities with a transaction after the
 * first, tx is the opportunity of the last (0 when x = 0) and T is n, the opportunities after the
 * first: all whole numbers, x ≤ tx ≤ T.
 */
export interface SummaryRow {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
  readonly monetary?: number;
  /** how many customers share these values; 1 when absent */
  readonly count?: number;
}

/** BG/NBD and MBG/NBD: r, alpha (purchase rate, gamma), a, b (drop-out, beta). */
export interface BgParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** Pareto/NBD: r, alpha (purchase rate, gamma), s, beta (lifetime, gamma). */
export interface ParetoParams {
  readonly r: number;
  readonly alpha: number;
  readonly s: number;
  readonly beta: number;
}

/**
 * BG/BB: alpha, beta (Beta distribution of the transaction probability p at each opportunity),
 * gamma, delta (Beta distribution of the drop-out probability θ before each opportunity).
 */
export interface BgbbBetaParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly delta: number;
}

/**
 * The BG/BB at the boundary where the drop-out probability's Beta has no spread left (gamma +
 * delta → ∞ with gamma / (gamma + delta) → theta): every customer drops out before each
 * opportunity with the same probability theta, 0 ≤ theta < 1 (0: nobody drops out). What the fit
 * publishes when the data cannot tell customers' drop-out apart (fit.ts, "Boundaries").
 */
export interface BgbbHomogeneousParams {
  readonly alpha: number;
  readonly beta: number;
  readonly theta: number;
}

export type BgbbParams = BgbbBetaParams | BgbbHomogeneousParams;

/** Gamma-Gamma spend model: p (shape of a transaction's value), q, v (its scale's gamma). */
export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly v: number;
}

export type ModelParams = BgParams | ParetoParams | BgbbParams | GammaGammaParams;

/** A purchase model with its parameters, as the prediction functions take it. */
export type PurchaseModel =
  | { readonly model: 'bgnbd'; readonly params: BgParams }
  | { readonly model: 'mbgnbd'; readonly params: BgParams }
  | { readonly model: 'pareto'; readonly params: ParetoParams }
  | { readonly model: 'bgbb'; readonly params: BgbbParams };

/** What `fitModel` returns. */
export interface FitResult {
  readonly model: ModelName;
  /** parameters by their names in the papers */
  readonly params: Readonly<Record<string, number>>;
  /** the maximised log-likelihood, summed over customers */
  readonly logLikelihood: number;
  readonly converged: boolean;
  /** optimiser iterations over all restarts */
  readonly iterations: number;
  /** per parameter, from the inverse numerical Hessian; NaN when the Hessian is not invertible */
  readonly standardErrors: Readonly<Record<string, number>>;
  /** customers the fit used (Gamma-Gamma: repeat customers only) */
  readonly customers: number;
  /** distinct summary rows the likelihood was evaluated on */
  readonly distinctRows: number;
  /** things a user should know that do not stop the fit (e.g. spend correlated with frequency) */
  readonly warnings: readonly string[];
  /** why a fit inside the parameter box still does not count as converged: a mixing distribution collapsed to a point (BG/BB) */
  readonly collapsed?: string;
  /**
   * the nested model fitted instead, when the optimum lay on a boundary of this model's parameter
   * space (ModelSpec.boundaries), in words; its reason is among the warnings
   */
  readonly boundary?: string;
}
