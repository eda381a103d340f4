/**
 * Synthetic orders for the CLV benchmark, drawn in Node from a BG/NBD process and sent with COPY:
 * first purchases spread over a year, then purchases at rate λ ~ Gamma(r, α) per week until the
 * customer drops out (probability p ~ Beta(a, b) after each repeat purchase), observed to the
 * year's end; order values from the Gamma-Gamma model. Parameters: the CDNOW fits.
 */
import type pg from 'pg';
import { Random } from '../core/random.ts';
import { CopyIn } from '../ingest/copy-stream.ts';

const BG = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const SPEND = { p: 6.25, q: 3.74, v: 15.44 };
const DAYS = 365;
const START = Date.UTC(2024, 0, 1);

/**
 * Creates `schema`.orders (customer_id, source, ordered_at, order_amount: the silver.orders columns
 * the CLV summary reads; one source, 'bench') with `customers` customers' orders, and `schema`.customer_features
 * (customer_id, as_of). Returns the number of orders.
 */
export async function writeBenchOrders(pool: pg.Pool, schema: string, customers: number, seed: number): Promise<number> {
  await pool.query(`create table ${schema}.orders (customer_id text not null, source text not null default 'bench', ordered_at timestamp not null, order_amount numeric not null)`);
  const client = await pool.connect();
  let orders = 0;
  try {
    const copy = new CopyIn(client, `copy ${schema}.orders (customer_id, ordered_at, order_amount) from stdin`);
    const random = new Random(seed);
    let text = '';
    for (let c = 0; c < customers; c++) {
      const id = `C${c + 1}`;
      const lambda = random.gamma(BG.r, 1) / BG.alpha / 7; // per day
      const p = random.beta(BG.a, BG.b);
      const nu = random.gamma(SPEND.q, 1) / SPEND.v;
      let t = random.between(0, DAYS);
      for (let n = 0; ; n++) {
        const amount = Math.max(0.01, random.gamma(SPEND.p, 1) / nu);
        text += `${id}\t${new Date(START + t * 86_400_000).toISOString().slice(0, 19)}\t${amount.toFixed(2)}\n`;
        orders++;
        if (n > 0 && random.chance(p)) break;
        t += random.exponential(lambda);
        if (t >= DAYS) break;
      }
      if (text.length > 1 << 20) {
        await copy.write(text);
        text = '';
      }
    }
    await copy.write(text);
    await copy.finish();
  } finally {
    client.release();
  }
  await pool.query(`create index on ${schema}.orders (customer_id)`);
  await pool.query(`analyze ${schema}.orders`);
  await pool.query(`
    create table ${schema}.customer_features as
    select customer_id, (select max(ordered_at) from ${schema}.orders) + interval '1 day' as as_of
    from ${schema}.orders group by customer_id`);
  return orders;
}
