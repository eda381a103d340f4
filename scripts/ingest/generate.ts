import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UsageError } from '../core/errors.ts';
import { findLoadedBatch, landBatch, type BatchStart } from './batches.ts';
import { generationFailure } from './load-failure.ts';
import { copyPieces } from './copy-stream.ts';
import { copyRaw } from './copy-text.ts';
import { archetypeOf } from './synthetic/customer.ts';
import { copyLine } from './synthetic/format.ts';
import { DEFAULT_COUNTRY_MIX } from './synthetic/countries.ts';
import { DEFAULTS, generateBlocks, resolveOptions, type GenerateOptions, type ResolvedOptions } from './synthetic/lines.ts';

export { generateLines, type GenerateOptions } from './synthetic/lines.ts';
export type { SyntheticLine } from './synthetic/line.ts';

/** Bump when the generator's output for the same options changes: the old batch is then not "the same". */
export const GENERATOR_VERSION = 1;

export interface GenerateProgress {
  readonly customersDone: number;
  readonly customers: number;
  readonly lines: number;
}

export interface GenerateResult {
  readonly batchId: number;
  /** lines written; 0 when the same options were generated before */
  readonly lines: number;
  readonly customers: number;
  /** the first customer id and invoice number this run used (after the data already landed) */
  readonly firstCustomerId?: number;
  readonly firstInvoiceNo?: number;
  /** a batch with exactly these options and generator version exists: nothing was added */
  readonly alreadyGenerated: boolean;
  readonly seconds: number;
}

/**
 * Writes synthetic transactions into landing.order_lines (same layout as a loaded Online Retail
 * file; `source_file` names the options, `source_line` is the line the `--out` CSV would have) and
 * each customer's true archetype into landing.synthetic_archetypes, in one transaction.
 * Streams customer by customer: 10 million lines need no more memory than 10 thousand.
 *
 * @example const { lines } = await generate(pool, { customers: 5_000, seed: 42 });
 */
export async function generate(
  pool: pg.Pool,
  options: GenerateOptions & { readonly onProgress?: (progress: GenerateProgress) => void },
): Promise<GenerateResult> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  // "the same options" are the options as given: run twice, they add nothing the second time,
  // even though the first run moved where the next ids would continue from
  const sha256 = fingerprint(resolveOptions(options));
  const existing = await findLoadedBatch(pool, sha256);
  if (existing !== undefined) return { batchId: existing, lines: 0, customers: 0, alreadyGenerated: true, seconds: seconds() };
  const resolved = resolveOptions({ ...(await continueAfterExisting(pool, options)), ...options });
  const batch: BatchStart = { sourceFile: describeRun(resolved), sha256, format: 'synthetic' };
  await refuseTakenIds(pool, resolved);

  const landed = await landBatch(
    pool,
    batch,
    async (client, batchId, tally) => {
      tally.linesLoaded = tally.linesRead = await copyLines(client, batchId, batch.sourceFile, resolved, options.onProgress);
      await copyArchetypes(client, batchId, resolved);
    },
    (error, failed) => generationFailure(error, batch.sourceFile, failed),
  );
  if (landed.alreadyLoaded) return { batchId: landed.batchId, lines: 0, customers: 0, alreadyGenerated: true, seconds: seconds() };
  return {
    batchId: landed.batchId,
    lines: landed.tally.linesLoaded,
    customers: resolved.customers,
    firstCustomerId: resolved.firstCustomerId,
    firstInvoiceNo: resolved.firstInvoiceNo,
    alreadyGenerated: false,
    seconds: seconds(),
  };
}

/**
 * `synthetic:seed=42,customers=5000`, plus any option not at its default: the batch's source_file.
 * Kept short because every order line repeats it, and the server parses it on every row.
 */
export function describeRun(resolved: ResolvedOptions): string {
  const parts = [`seed=${resolved.seed}`, `customers=${resolved.customers}`];
  if (resolved.start !== DEFAULTS.start) parts.push(`start=${resolved.start}`);
  if (resolved.days !== undefined) parts.push(`days=${resolved.days}`);
  else if (resolved.months !== DEFAULTS.months) parts.push(`months=${resolved.months}`);
  if (resolved.firstCustomerId !== DEFAULTS.firstCustomerId) parts.push(`first_customer_id=${resolved.firstCustomerId}`);
  if (resolved.firstInvoiceNo !== DEFAULTS.firstInvoiceNo) parts.push(`first_invoice_no=${resolved.firstInvoiceNo}`);
  if (resolved.countryMix !== DEFAULT_COUNTRY_MIX) parts.push('country_mix');
  return `synthetic:${parts.join(',')}`;
}

/**
 * Stands in for a file's sha256: the same options and generator version give the same rows.
 * Options added later are left out at their defaults, so earlier runs keep their fingerprint.
 */
function fingerprint(resolved: ResolvedOptions): string {
  const { firstInvoiceNo, days, ...rest } = resolved;
  const spec = {
    version: GENERATOR_VERSION,
    ...rest,
    countryMix: [...resolved.countryMix],
    ...(firstInvoiceNo === DEFAULTS.firstInvoiceNo ? {} : { firstInvoiceNo }),
    ...(days === undefined ? {} : { days }),
  };
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/**
 * Where a run into a database that already holds data continues: the first customer id and
 * invoice number after the largest ones landed (numeric ids only; the letter of a `C` or `A`
 * invoice is ignored), never below the defaults. A second generated batch then adds new
 * customers and invoices instead of reusing the first batch's, which would merge invoices of
 * different customers. One pass over landing.order_lines (about 0.1 s per million lines).
 */
export async function continueAfterExisting(
  pool: pg.Pool,
  given: GenerateOptions,
): Promise<Pick<ResolvedOptions, 'firstCustomerId' | 'firstInvoiceNo'>> {
  if (given.firstCustomerId !== undefined && given.firstInvoiceNo !== undefined) {
    return { firstCustomerId: given.firstCustomerId, firstInvoiceNo: given.firstInvoiceNo };
  }
  const found = await pool.query<{ customer: string | null; invoice: string | null }>(
    `select max(customer_id::numeric) filter (where customer_id ~ '^[0-9]{1,15}(\.0*)?$') as customer,
            max(substring(invoice_no from '^[A-Za-z]?([0-9]{1,15})$')::bigint) as invoice
       from landing.order_lines`,
  );
  const row = found.rows[0];
  const after = (max: string | null | undefined, floor: number): number => Math.max(floor, max == null ? 0 : Math.floor(Number(max)) + 1);
  return {
    firstCustomerId: after(row?.customer, DEFAULTS.firstCustomerId),
    firstInvoiceNo: after(row?.invoice, DEFAULTS.firstInvoiceNo),
  };
}

async function copyLines(
  client: pg.PoolClient,
  batchId: number,
  sourceFile: string,
  resolved: ResolvedOptions,
  onProgress?: (progress: GenerateProgress) => void,
): Promise<number> {
  const prefix = `${batchId}\t${copyRaw(sourceFile)}\t`;
  let lines = 0;
  let customersDone = 0;
  function* text(): Generator<string> {
    for (const block of generateBlocks(resolved)) {
      let chunk = '';
      for (const line of block.lines) chunk += prefix + copyLine(line, ++lines + 1); // line 1 is the CSV header
      if (block.customer) customersDone++;
      yield chunk;
    }
  }
  const copied = await copyPieces(
    client,
    'copy landing.order_lines (batch_id, source_file, source_line, invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country, line_total, invoice_key) from stdin',
    text(),
    () => onProgress?.({ customersDone, customers: resolved.customers, lines }),
  );
  if (copied !== lines) throw new Error(`the server took ${copied} lines but ${lines} were sent`);
  onProgress?.({ customersDone, customers: resolved.customers, lines });
  return lines;
}

/** Each customer's archetype, read again from its random stream (one draw each) rather than kept. */
async function copyArchetypes(client: pg.PoolClient, batchId: number, resolved: ResolvedOptions): Promise<void> {
  function* text(): Generator<string> {
    for (let index = 0; index < resolved.customers; index++) {
      yield `${resolved.firstCustomerId + index}\t${archetypeOf(resolved.seed, index).name}\t${batchId}\n`;
    }
  }
  await copyPieces(client, 'copy landing.synthetic_archetypes (customer_id, archetype, batch_id) from stdin', text());
}

/** Another synthetic run already used some of these customer ids: say so before generating anything. */
async function refuseTakenIds(pool: pg.Pool, resolved: ResolvedOptions): Promise<void> {
  const first = resolved.firstCustomerId;
  const last = first + resolved.customers - 1;
  const taken = await pool.query<{ batch_id: string; low: string; high: string }>(
    `select batch_id, min(customer_id::bigint) as low, max(customer_id::bigint) as high
       from landing.synthetic_archetypes
      where customer_id ~ '^[0-9]{1,15}$'
      group by batch_id
     having max(customer_id::bigint) >= $1 and min(customer_id::bigint) <= $2
      limit 1`,
    [first, last],
  );
  const clash = taken.rows[0];
  if (clash) {
    throw new UsageError(
      `customer ids ${first}–${last} overlap the synthetic customers ${clash.low}–${clash.high} of batch ${clash.batch_id}; ` +
        `choose others with --first-customer-id ${Number(clash.high) + 1}`,
    );
  }
}
