/**
 * The queries that bring the customer summary into Node, each bounded whatever the number of
 * customers: distinct combinations with counts, or a fixed-size deterministic sample.
 */
import { sql, type Kysely } from 'kysely';
import { qualified } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { HoldoutRow } from '../holdout.ts';
import type { SummaryRow } from '../types.ts';

/** Distinct (x, t_x, age) of customer_clv_summary with their counts, ordered by x. */
export async function readCombinations(db: Kysely<unknown>, summary: Relation): Promise<SummaryRow[]> {
  const result = await sql.raw<{ x: number; t_x: number; age: number; n: string }>(`
    select x, t_x, age, count(*) as n
    from ${qualified(summary)}
    group by x, t_x, age
    order by x, t_x, age`).execute(db);
  return result.rows.map((r) => ({ x: r.x, tx: r.t_x, T: r.age, count: Number(r.n) }));
}

/**
 * The calibration summaries and holdout purchase counts, grouped: customers who bought before
 * the holdout started, by (cal_x, cal_t_x, cal_age, holdout_x).
 */
export async function readHoldoutRows(db: Kysely<unknown>, summary: Relation): Promise<HoldoutRow[]> {
  const result = await sql.raw<{ x: number; t_x: number; age: number; actual: number; n: string }>(`
    select cal_x as x, cal_t_x as t_x, cal_age as age, holdout_x as actual, count(*) as n
    from ${qualified(summary)}
    where cal_x is not null
    group by cal_x, cal_t_x, cal_age, holdout_x
    order by cal_x, cal_t_x, cal_age, holdout_x`).execute(db);
  return result.rows.map((r) => ({ x: r.x, tx: r.t_x, T: r.age, actual: r.actual, count: Number(r.n) }));
}

/**
 * Repeat customers' (x, mean repeat order value) for the Gamma-Gamma fit: the `size` customers
 * with the smallest md5 of their id, so the same data give the same sample whatever the row order.
 * Also the number of repeat customers in all.
 */
export async function readSpendSample(
  db: Kysely<unknown>,
  summary: Relation,
  size: number,
): Promise<{ rows: SummaryRow[]; repeatCustomers: number }> {
  const sample = await sql.raw<{ x: number; m: number }>(`
    select x, repeat_order_value as m
    from ${qualified(summary)}
    where x > 0 and repeat_order_value > 0
    order by md5(customer_id::text), customer_id
    limit ${Math.trunc(size)}`).execute(db);
  const all = await sql.raw<{ n: string }>(`select count(*) as n from ${qualified(summary)} where x > 0`).execute(db);
  return {
    rows: sample.rows.map((r) => ({ x: r.x, tx: 0, T: 0, monetary: r.m })),
    repeatCustomers: Number(all.rows[0]?.n ?? 0),
  };
}
