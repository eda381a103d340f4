import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StrataError, UsageError } from '../core/errors.ts';
import { findLoadedBatch, finishBatch, isUniqueViolation, recordFailedBatch, startBatch, type BatchStart } from './batches.ts';
import { CopyIn } from './copy-stream.ts';
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
  /** a batch with exactly these options and generator version exists: nothing was added */
  readonly alreadyGenerated: boolean;
  readonly seconds: number;
}

/** COPY text gathered before it is sent: large pieces, but never more than this in memory. */
const PIECE_CHARS = 1 << 20;

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
  const resolved = resolveOptions(options);
  const batch: BatchStart = { sourceFile: describeRun(resolved), sha256: fingerprint(resolved), format: 'synthetic' };
  const existing = await findLoadedBatch(pool, batch.sha256);
  if (existing !== undefined) return { batchId: existing, lines: 0, customers: 0, alreadyGenerated: true, seconds: seconds() };
  await refuseTakenIds(pool, resolved);

  const tally = { linesRead: 0, linesLoaded: 0, linesRejected: 0 };
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const batchId = await startBatch(client, batch);
    tally.linesLoaded = tally.linesRead = await copyLines(client, batchId, batch.sourceFile, resolved, options.onProgress);
    await copyArchetypes(client, batchId, resolved);
    await finishBatch(client, batchId, tally);
    await client.query('commit');
    return { batchId, lines: tally.linesLoaded, customers: resolved.customers, alreadyGenerated: false, seconds: seconds() };
  } catch (error) {
    await client.query('rollback').catch((e: Error) => (broken = e));
    if (isUniqueViolation(error)) {
      const other = await findLoadedBatch(pool, batch.sha256);
      if (other !== undefined) return { batchId: other, lines: 0, customers: 0, alreadyGenerated: true, seconds: seconds() };
    }
    const failed = await recordFailedBatch(pool, batch, tally).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof StrataError) throw error;
    throw new StrataError(`generating ${batch.sourceFile} failed: ${reason}${failed === undefined ? '' : ` (recorded as failed batch ${failed})`}`);
  } finally {
    client.release(broken);
  }
}

/**
 * `synthetic:seed=42,customers=5000`, plus any option not at its default: the batch's source_file.
 * Kept short because every order line repeats it, and the server parses it on every row.
 */
export function describeRun(resolved: ResolvedOptions): string {
  const parts = [`seed=${resolved.seed}`, `customers=${resolved.customers}`];
  if (resolved.start !== DEFAULTS.start) parts.push(`start=${resolved.start}`);
  if (resolved.months !== DEFAULTS.months) parts.push(`months=${resolved.months}`);
  if (resolved.firstCustomerId !== DEFAULTS.firstCustomerId) parts.push(`first_customer_id=${resolved.firstCustomerId}`);
  if (resolved.countryMix !== DEFAULT_COUNTRY_MIX) parts.push('country_mix');
  return `synthetic:${parts.join(',')}`;
}

/** Stands in for a file's sha256: the same options and generator version give the same rows. */
function fingerprint(resolved: ResolvedOptions): string {
  const spec = { version: GENERATOR_VERSION, ...resolved, countryMix: [...resolved.countryMix] };
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

async function copyLines(
  client: pg.PoolClient,
  batchId: number,
  sourceFile: string,
  resolved: ResolvedOptions,
  onProgress?: (progress: GenerateProgress) => void,
): Promise<number> {
  const copy = new CopyIn(
    client,
    'copy landing.order_lines (batch_id, source_file, source_line, invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country, line_total) from stdin',
  );
  const prefix = `${batchId}\t${copyRaw(sourceFile)}\t`;
  let lines = 0;
  let customersDone = 0;
  let piece = '';
  try {
    for (const block of generateBlocks(resolved)) {
      for (const line of block.lines) piece += prefix + copyLine(line, ++lines + 1); // line 1 is the CSV header
      if (block.customer) customersDone++;
      if (piece.length >= PIECE_CHARS) {
        await copy.write(piece);
        piece = '';
        onProgress?.({ customersDone, customers: resolved.customers, lines });
      }
    }
    await copy.write(piece);
    const copied = await copy.finish();
    if (copied !== lines) throw new Error(`the server took ${copied} lines but ${lines} were sent`);
  } catch (error) {
    await copy.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  onProgress?.({ customersDone, customers: resolved.customers, lines });
  return lines;
}

/** Each customer's archetype, read again from its random stream (one draw each) rather than kept. */
async function copyArchetypes(client: pg.PoolClient, batchId: number, resolved: ResolvedOptions): Promise<void> {
  const copy = new CopyIn(client, 'copy landing.synthetic_archetypes (customer_id, archetype, batch_id) from stdin');
  try {
    let piece = '';
    for (let index = 0; index < resolved.customers; index++) {
      piece += `${resolved.firstCustomerId + index}\t${archetypeOf(resolved.seed, index).name}\t${batchId}\n`;
      if (piece.length >= PIECE_CHARS) {
        await copy.write(piece);
        piece = '';
      }
    }
    await copy.write(piece);
    await copy.finish();
  } catch (error) {
    await copy.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
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
