/**
 * The project's own purchases (the published silver.orders) split for validation inside
 * PostgreSQL: only the grouped calibration summaries come back, however many customers there are.
 * The rules are split.ts's, in SQL: distinct purchase days, T to the last calibration day.
 */
import type pg from 'pg';
import { StrataError } from '../../core/errors.ts';
import type { DayRow, Split } from './split.ts';

export async function splitFromOrders(pool: pg.Pool, holdoutDays: number, calibrationEnd?: string): Promise<Split> {
  const found = await pool.query<{ found: string | null }>(`select to_regclass('silver.orders')::text as found`);
  if (!found.rows[0]?.found) {
    throw new StrataError('silver.orders does not exist in this database: build the project first (npm run build-models)');
  }
  const bounds = await pool.query<{ first: number | null; last: number | null; customers: string; cal_end: number | null }>(
    `with days as (select distinct ordered_at::date as day from silver.orders)
     select (min(day) - date '1970-01-01') as first, (max(day) - date '1970-01-01') as last,
            (select count(distinct customer_id) from silver.orders)::text as customers,
            (coalesce($1::date, max(day) - $2::integer) - date '1970-01-01') as cal_end
     from days`,
    [calibrationEnd ?? null, holdoutDays],
  );
  const b = bounds.rows[0]!;
  if (b.first === null || b.last === null || b.cal_end === null) throw new StrataError('silver.orders is empty: there are no purchases to validate on');
  if (b.cal_end <= b.first) {
    throw new StrataError(`the holdout of ${holdoutDays} days leaves no calibration period: the orders run from day ${b.first} to ${b.last}`);
  }
  const end = b.cal_end;
  const result = await pool.query<{ x: number; tx_days: number; t_days: number; actual: number; n: string }>(
    `with days as (
       select customer_id, ordered_at::date - date '1970-01-01' as day
       from silver.orders group by customer_id, ordered_at::date
     ),
     per_customer as (
       select customer_id, min(day) as first,
              count(*) filter (where day <= $1)::integer as calibration,
              max(day) filter (where day <= $1) as last_calibration,
              count(*) filter (where day > $1 and day <= $1 + $2)::integer as holdout
       from days group by customer_id
     )
     select calibration - 1 as x, last_calibration - first as tx_days, $1 - first as t_days, holdout as actual, count(*) as n
     from per_customer where first < $1
     group by 1, 2, 3, 4`,
    [end, holdoutDays],
  );
  const rows: DayRow[] = result.rows.map((r) => ({ x: r.x, txDays: r.tx_days, tDays: r.t_days, actual: r.actual, count: Number(r.n) }));
  const customers = rows.reduce((n, r) => n + r.count, 0);
  return {
    periods: { firstDay: b.first, calibrationEnd: end, holdoutStart: end + 1, holdoutEnd: end + holdoutDays },
    rows,
    customers,
    leftOut: Number(b.customers) - customers,
  };
}
