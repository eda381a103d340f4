/**
 * Where a backtest's labelled rows come from, read from what is published (the CLI's connection):
 *   cancellation: gold.churn_features' training rows (members at the build's cutoff, labelled by
 *     cancellation within the horizon), so the backtest judges exactly what the build trains on;
 *   no_purchase: any source's customers from silver.orders at a cutoff, labelled "no purchase
 *     within churn_days after it" (for sources without cancellations: retail, travel).
 * Each row also carries its purchase history before the cutoff as a BG/NBD summary (x, t_x, T),
 * for the BG/NBD-family baseline.
 */
import type pg from 'pg';
import { StrataError, UsageError } from '../../core/errors.ts';
import { featureRow } from '../store.ts';
import { AIRLINE_FEATURES, PURCHASE_FEATURES } from '../spec.ts';
import type { FeatureSpec } from '../design.ts';
import type { TrainingRow } from '../train.ts';

/** A labelled row with what the baselines need. */
export interface BacktestRow extends TrainingRow {
  /** the recency baseline's score: higher = longer since the last purchase */
  readonly recency: number;
  /** repeat purchases, time from first to last, time from first to the cutoff (months or weeks); null: no purchase before the cutoff */
  readonly summary: { readonly x: number; readonly tx: number; readonly T: number } | null;
}

export interface BacktestData {
  readonly label: 'cancellation' | 'no_purchase';
  readonly source: string;
  readonly cutoff: string;
  readonly horizonMonths: number;
  /** the unit of the BG/NBD summaries */
  readonly timeUnit: 'month' | 'week';
  readonly spec: FeatureSpec;
  readonly rows: readonly BacktestRow[];
}

async function requireRelation(pool: pg.Pool, name: string): Promise<void> {
  const found = await pool.query<{ found: string | null }>('select to_regclass($1)::text as found', [name]);
  if (!found.rows[0]?.found) throw new StrataError(`${name} does not exist in this database: build the project first (npm run build-models)`);
}

/** The published training rows of the airline churn model, at the build's cutoff. */
export async function cancellationData(pool: pg.Pool, cutoff: string | undefined): Promise<BacktestData> {
  await requireRelation(pool, 'gold.churn_features');
  const meta = await pool.query<{ cutoff: string | null; as_of: string | null }>(
    `select max(feature_date) filter (where role = 'train')::text as cutoff, max(feature_date) filter (where role = 'score')::text as as_of
       from gold.churn_features`,
  );
  const built = meta.rows[0]?.cutoff;
  if (!built) throw new StrataError('gold.churn_features has no training rows: load the airline loyalty files and build (docs/airline.md)');
  if (cutoff !== undefined && cutoff !== built) {
    throw new UsageError(
      `the published churn features are at cutoff ${built}, not ${cutoff}; build them at ${cutoff} first: ` +
        `npm run build-models -- --vars '{churn_cutoff: "${cutoff}"}' (then validate-churn again)`,
    );
  }
  // each member's months with flights before the cutoff, as a BG/NBD summary in months
  const result = await pool.query<Record<string, unknown>>(
    `with occasions as (
       select customer_id, period_start
         from silver.stg_airline_flight_activity
        where line_status = 'purchase' and period_start < $1::date
        group by customer_id, period_start
     ),
     summary as (
       select customer_id, count(*) - 1 as x,
              (extract(year from age(max(period_start), min(period_start))) * 12 + extract(month from age(max(period_start), min(period_start))))::float8 as tx,
              (extract(year from age($1::date, min(period_start))) * 12 + extract(month from age($1::date, min(period_start))))::float8 as t
         from occasions group by customer_id
     )
     select f.*, s.x, s.tx, s.t
       from gold.churn_features as f
       left join summary as s on s.customer_id = f.customer_id
      where f.role = 'train'
      order by f.customer_id`,
    [built],
  );
  // the horizon the build labelled with (recorded with its coefficients)
  const horizon = await pool.query<{ horizon: number | null }>(`select max(horizon_months)::int as horizon from gold.churn_coefficients`).catch(() => ({ rows: [{ horizon: null }] }));
  return {
    label: 'cancellation',
    source: 'airline',
    cutoff: built,
    horizonMonths: horizon.rows[0]?.horizon ?? 12,
    timeUnit: 'month',
    spec: AIRLINE_FEATURES,
    rows: result.rows.map((row) => ({
      id: String(row['customer_id']),
      label: Number(row['label']),
      features: featureRow(row, AIRLINE_FEATURES),
      recency: Number(row['recency_months']),
      summary: row['x'] === null ? null : { x: Number(row['x']), tx: Number(row['tx']), T: Number(row['t']) },
    })),
  };
}

/**
 * Customers of silver.orders (optionally one source's) at a cutoff: those with an order before it,
 * labelled 1 when they order nothing in the churn_days after it. Default cutoff: the latest order
 * minus churn_days, so the label's window is fully observed.
 */
export async function noPurchaseData(pool: pg.Pool, options: { readonly cutoff?: string; readonly churnDays: number; readonly source?: string }): Promise<BacktestData> {
  await requireRelation(pool, 'silver.orders');
  const bounds = await pool.query<{ cutoff: string | null; last: string | null }>(
    `select coalesce($1::date, (max(ordered_at)::date - $2::integer))::text as cutoff, max(ordered_at)::date::text as last
       from silver.orders where ($3::text is null or source = $3)`,
    [options.cutoff ?? null, options.churnDays, options.source ?? null],
  );
  const cutoff = bounds.rows[0]?.cutoff;
  if (!cutoff) throw new StrataError('silver.orders has no orders to validate on');
  const result = await pool.query<Record<string, unknown>>(
    `with orders as (
       select customer_id, ordered_at, order_amount, country
         from silver.orders
        where ($3::text is null or source = $3)
     ),
     before as (
       select customer_id,
              ($1::date - max(ordered_at)::date)::float8                                   as recency_days,
              count(*)::float8                                                            as frequency,
              sum(order_amount)::float8                                                   as monetary,
              (sum(order_amount) / count(*))::float8                                      as avg_order_value,
              ($1::date - min(ordered_at)::date)::float8                                  as tenure_days,
              count(*) filter (where ordered_at >= $1::date - 90)::float8                 as orders_last_90d,
              coalesce(sum(order_amount) filter (where ordered_at >= $1::date - 90), 0)::float8 as monetary_last_90d,
              mode() within group (order by country)                                      as country,
              -- BG/NBD summary in weeks, on distinct purchase days
              count(distinct ordered_at::date) - 1                                        as x,
              ((max(ordered_at)::date - min(ordered_at)::date) / 7.0)::float8             as tx,
              (($1::date - min(ordered_at)::date) / 7.0)::float8                          as t
         from orders where ordered_at < $1::date
        group by customer_id
     ),
     after as (
       select distinct customer_id from orders
        where ordered_at >= $1::date and ordered_at < $1::date + $2::integer
     )
     select b.*, (a.customer_id is null)::integer as label
       from before as b left join after as a on a.customer_id = b.customer_id
      order by b.customer_id`,
    [cutoff, options.churnDays, options.source ?? null],
  );
  return {
    label: 'no_purchase',
    source: options.source ?? 'all sources',
    cutoff,
    horizonMonths: Math.round((options.churnDays / 365.25) * 12 * 100) / 100,
    timeUnit: 'week',
    spec: PURCHASE_FEATURES,
    rows: result.rows.map((row) => ({
      id: String(row['customer_id']),
      label: Number(row['label']),
      features: featureRow(row, PURCHASE_FEATURES),
      recency: Number(row['recency_days']),
      summary: { x: Number(row['x']), tx: Number(row['tx']), T: Number(row['t']) },
    })),
  };
}
