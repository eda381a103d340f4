import type pg from 'pg';

/**
 * The statements that distribute Online Retail's landed lines by invoice on a Citus coordinator
 * (docs/scale-out.md, "Landing and staging by invoice"): hash-distributed by the loader's
 * invoice_key (migration 13), co-located with staging when the project sets
 * `stg_retail_order_lines: {+distributed_by: invoice_key}`. Lines already landed are copied into
 * the shards and their local copy removed (Citus keeps it on disk otherwise).
 */
export const LANDING_BY_INVOICE_SQL = [
  `select create_distributed_table('landing.order_lines', 'invoice_key')`,
  `select truncate_local_data_after_distributing_table('landing.order_lines')`,
] as const;

/** Runs LANDING_BY_INVOICE_SQL unless landing.order_lines is distributed already. */
export async function distributeLandingByInvoice(db: pg.Pool): Promise<void> {
  const done = await db.query(`select 1 from pg_dist_partition where logicalrelid = 'landing.order_lines'::regclass`);
  if (done.rowCount !== 0) return;
  for (const sql of LANDING_BY_INVOICE_SQL) await db.query(sql);
}
