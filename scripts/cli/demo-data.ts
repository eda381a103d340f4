import type { Database } from '../db/connect.ts';
import type { Compiled } from './session.ts';

/** Customers the first demo build gets: enough for segments to mean something, quick to build. */
const DEMO_CUSTOMERS = 5_000;
const DEMO_SEED = 42;

/**
 * On a database with nothing landed (no loaded batch of any format), the first `build-models` generates a demo data set (and says
 * so), so a new user's first command shows real segments. Only for projects that read strata's
 * landing table; a project with its own sources is left alone.
 */
export async function ensureDemoData(compiled: Compiled, db: Database, log: (line: string) => void): Promise<void> {
  const readsLanding = compiled.manifest.sources.some((s) => s.schema === 'landing' && s.identifier === 'order_lines');
  if (!readsLanding) return;
  // Anything landed, by any format (order lines, airline members or activity, …), is the user's
  // data: demo lines would be mixed into it.
  const any = await db.pool.query(`select 1 from landing.load_batches where status = 'loaded' limit 1`);
  if (any.rowCount) return;
  log(`landing.order_lines is empty: generating a demo data set (${DEMO_CUSTOMERS.toLocaleString('en-US')} synthetic customers, seed ${DEMO_SEED}).`);
  log('  load your own data instead with: npm run load -- <file.csv>');
  // loaded only when needed: most builds never generate anything
  const { generate } = await import('../ingest/generate.ts');
  const result = await generate(db.pool, { customers: DEMO_CUSTOMERS, seed: DEMO_SEED });
  log(`  generated ${result.lines.toLocaleString('en-US')} lines in ${result.seconds.toFixed(1)}s`);
}
