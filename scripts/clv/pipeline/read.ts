/**
 * The queries that bring the customer summary into Node, each bounded whatever the number of
 * customers: distinct combinations with counts, or a fixed-size deterministic sample.
 */
import { sql, type Kysely } from 'kysely';
import { qualified } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { HoldoutRow } from '../holdout.ts';
import type { SummaryRow } from '../types.ts';

/** The sources of customer_clv_summary (silver's orders.source), each fitted on its own. */
export async function readSources(db: Kysely<unknown>, summary: Relation): Promise<string[]> {
  const result = await sql<{ source: string }>`
    select distinct source from ${sql.raw(qualified(summary))} order by source`.execute(db);
  return result.rows.map((r) => r.source);
}

/** Distinct (x, t_x, age) of one source's customers with their counts, ordered by x. */
export async function readCombinations(db: Kysely<unknown>, summary: Relation, source: string): Promise<SummaryRow[]> {
  const result = await sql<{ x: number; t_x: number; age: number; n: string }>`
    select x, t_x, age, count(*) as n
    from ${sql.raw(qualified(summary))}
    where source = ${source}
    group by x, t_x, age
    order by x, t_x, age`.execute(db);
  return result.rows.map((r) => ({ x: r.x, tx: r.t_x, T: r.age, count: Number(r.n) }));
}

/**
 * One source's calibration summaries and holdout purchase counts, grouped: customers who bought before
 * the holdout started, by (cal_x, cal_t_x, cal_age, holdout_x).
 */
export async function readHoldoutRows(db: Kysely<unknown>, summary: Relation, source: string): Promise<HoldoutRow[]> {
  const result = await sql<{ x: number; t_x: number; age: number; actual: number; n: string }>`
    select cal_x as x, cal_t_x as t_x, cal_age as age, holdout_x as actual, count(*) as n
    from ${sql.raw(qualified(summary))}
    where cal_x is not null and source = ${source}
    group by cal_x, cal_t_x, cal_age, holdout_x
    order by cal_x, cal_t_x, cal_age, holdout_x`.execute(db);
  return result.rows.map((r) => ({ x: r.x, tx: r.t_x, T: r.age, actual: r.actual, count: Number(r.n) }));
}

/**
 * One source's repeat customers' (x, mean repeat order value) for the Gamma-Gamma fit: the `size` customers
 * with the smallest md5 of their id, so the same data give the same sample whatever the row order.
 * Also the number of repeat customers in all.
 */
export async function readSpendSample(
  db: Kysely<unknown>,
  summary: Relation,
  source: string,
  size: number,
): Promise<{ rows: SummaryRow[]; repeatCustomers: number }> {
  const table = sql.raw(qualified(summary));
  const sample = await sql<{ x: number; m: number }>`
    select x, repeat_order_value as m
    from ${table}
    where x > 0 and repeat_order_value > 0 and source = ${source}
    order by md5(customer_id::text), customer_id
    limit ${sql.raw(String(Math.trunc(size)))}`.execute(db);
  const all = await sql<{ n: string }>`select count(*) as n from ${table} where x > 0 and source = ${source}`.execute(db);
  return {
    rows: sample.rows.map((r) => ({ x: r.x, tx: 0, T: 0, monetary: r.m })),
    repeatCustomers: Number(all.rows[0]?.n ?? 0),
  };
}
