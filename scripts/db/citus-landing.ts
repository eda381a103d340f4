import type pg from 'pg';

/**
 * The statements that distribute the landed retail lines by invoice on a Citus coordinator
 * (docs/scale-out.md, "Layout"): hash-distributed by the loader's invoice_key (migration 13),
 * co-located with every source's line-level staging (schema.yml: `distributed_by: invoice_key`),
 * so the loader's COPY writes into the shards and staging's window runs on the workers. Lines
 * already landed are copied into the shards and their local copy removed (Citus keeps it on
 * disk otherwise). `landing.load_batches` and the other sources' landing tables stay local.
 */
export const LANDING_BY_INVOICE_SQL = [
  `select create_distributed_table('landing.order_lines', 'invoice_key')`,
  `select truncate_local_data_after_distributing_table('landing.order_lines')`,
] as const;

/**
 * On a Citus server, runs LANDING_BY_INVOICE_SQL unless landing.order_lines is distributed
 * already; on plain PostgreSQL it does nothing. Run after every migration (runMigrations), so a
 * Citus database gets this layout from its first `load` or `build-models`.
 * @returns whether it distributed the table now
 */
export async function distributeLandingByInvoice(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const citus = await db.query(`select 1 from pg_extension where extname = 'citus'`);
  if (citus.rowCount === 0) return false;
  const done = await db.query(`select 1 from pg_dist_partition where logicalrelid = 'landing.order_lines'::regclass`);
  if (done.rowCount !== 0) return false;
  for (const sql of LANDING_BY_INVOICE_SQL) await db.query(sql);
  return true;
}
