/**
 * Writes the prediction table customer_clv joins every customer to: one row per source and distinct
 * (x, t_x, age), with the fitted spend parameters repeated on every row so that the SQL applying
 * them needs nothing but this table.
 */
import { sql, type Kysely } from 'kysely';
import { qualified } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { CombinationPrediction } from '../combinations.ts';
import type { GammaGammaParams, PurchaseModelName } from '../types.ts';

export interface PredictionConstants {
  /** the source these combinations belong to (customer_clv_summary.source) */
  readonly source: string;
  readonly model: PurchaseModelName;
  readonly timeUnit: string;
  readonly horizonMonths: number;
  readonly discountRate: number;
  readonly spend: GammaGammaParams;
  readonly buildId: number;
  /** the purchases of the source's customers when that build fitted (purchasesOf), for the refit rule */
  readonly fitPurchases: number;
}

/**
 * The purchases a source's summary holds: each customer's first purchase and x repeats (active
 * periods for a discrete source), over every (x, t_x, age) row and its customer count. The refit
 * rule (scripts/core/refit-policy.ts) compares it with the figure at the fit.
 */
export function purchasesOf(combinations: readonly { readonly x: number; readonly count?: number }[]): number {
  return combinations.reduce((n, c) => n + (c.count ?? 1) * (c.x + 1), 0);
}

/** Rows per insert: arrays of this many values per column travel as one parameter each. */
const CHUNK = 20_000;

/** Creates the empty prediction table `out`: one row per source and distinct (x, t_x, age). */
export async function createPredictionTable(db: Kysely<unknown>, out: Relation): Promise<void> {
  await sql.raw(`
    create table ${qualified(out)} (
      source                          text not null,
      x                               integer not null,
      t_x                             integer not null,
      age                             integer not null,
      customers                       bigint not null,
      p_alive                         double precision not null,
      expected_purchases_90d          double precision not null,
      discounted_purchases            double precision not null,
      discounted_purchases_if_alive   double precision not null,
      model                           text not null,
      time_unit                       text not null,
      horizon_months                  integer not null,
      discount_rate                   double precision not null,
      gg_p                            double precision not null,
      gg_q                            double precision not null,
      gg_v                            double precision not null,
      build_id                        bigint not null,
      fit_purchases                   bigint not null,
      primary key (source, x, t_x, age)
    )`).execute(db);
}

/** Fills `out` with one source's predictions; `customers` gives each combination's customer count. */
export async function writePredictions(
  db: Kysely<unknown>,
  out: Relation,
  predictions: readonly CombinationPrediction[],
  customers: readonly number[],
  constants: PredictionConstants,
): Promise<void> {
  const { source, model, timeUnit, horizonMonths, discountRate, spend, buildId, fitPurchases } = constants;
  for (let start = 0; start < predictions.length; start += CHUNK) {
    const chunk = predictions.slice(start, start + CHUNK);
    const column = (pick: (p: CombinationPrediction) => number): number[] => chunk.map(pick);
    await sql`
      insert into ${sql.raw(qualified(out))}
      select ${source}::text, x, t_x, age, customers, p_alive, expected_purchases_90d, discounted_purchases,
             discounted_purchases_if_alive, ${model}, ${timeUnit}, ${horizonMonths}::integer,
             ${discountRate}::double precision, ${spend.p}::double precision, ${spend.q}::double precision,
             ${spend.v}::double precision, ${buildId}::bigint, ${fitPurchases}::bigint
      from unnest(
        ${column((p) => p.x)}::integer[], ${column((p) => p.tx)}::integer[], ${column((p) => p.T)}::integer[],
        ${customers.slice(start, start + CHUNK)}::bigint[], ${column((p) => p.pAlive)}::double precision[],
        ${column((p) => p.expectedShort)}::double precision[], ${column((p) => p.discountedPurchases)}::double precision[],
        ${column((p) => p.discountedPurchasesIfAlive)}::double precision[]
      ) as t(x, t_x, age, customers, p_alive, expected_purchases_90d, discounted_purchases, discounted_purchases_if_alive)`.execute(db);
  }
}
