import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UsageError } from '../../../core/errors.ts';
import { findLoadedBatch, landBatch, type BatchStart } from '../../batches.ts';
import { generationFailure } from '../../load-failure.ts';
import { copyPieces } from '../../copy-stream.ts';
import { copyRaw } from '../../copy-text.ts';
import { TRAVEL_TABLES, type TravelTableName } from '../../travel/tables.ts';
import { generateTraveller, travelArchetypeOf, type TravellerRows } from './traveller.ts';

/** Bump when the output for the same options changes: the old batch is then not "the same". */
export const TRAVEL_GENERATOR_VERSION = 1;

export interface TravelGenerateOptions {
  readonly users: number;
  readonly seed: number;
  /** first day of the session window, YYYY-MM-DD (default 2023-01-01) */
  readonly start?: string;
  /** months of sessions (default 6) */
  readonly months?: number;
  /** user ids start here (default 2,000,001: above the real extract's ids) */
  readonly firstUserId?: number;
}

export interface ResolvedTravelOptions {
  readonly users: number;
  readonly seed: number;
  readonly start: string;
  readonly months: number;
  readonly firstUserId: number;
}

export interface TravelGenerateResult {
  readonly batchId: number;
  readonly users: number;
  /** rows written per table; all 0 when the same options were generated before */
  readonly rows: Readonly<Record<TravelTableName, number>>;
  readonly alreadyGenerated: boolean;
  readonly seconds: number;
}

export const TRAVEL_DEFAULTS = { start: '2023-01-01', months: 6, firstUserId: 2_000_001 } as const;

/** Checks the options; a bad one is a UsageError naming the option. */
export function resolveTravelOptions(options: TravelGenerateOptions): ResolvedTravelOptions {
  const resolved = { ...TRAVEL_DEFAULTS, ...options };
  if (!Number.isInteger(resolved.users) || resolved.users < 1) throw new UsageError(`--users must be a whole number of at least 1, got ${options.users}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(resolved.start) || Number.isNaN(Date.parse(`${resolved.start}T00:00:00Z`))) {
    throw new UsageError(`--start must be a date YYYY-MM-DD, got ${resolved.start}`);
  }
  if (!Number.isInteger(resolved.months) || resolved.months < 1 || resolved.months > 60) throw new UsageError(`--months must be 1 to 60, got ${resolved.months}`);
  if (!Number.isInteger(resolved.firstUserId) || resolved.firstUserId < 1 || resolved.firstUserId + resolved.users > 2 ** 53) {
    throw new UsageError(`--first-user-id must be a positive whole number, got ${resolved.firstUserId}`);
  }
  return resolved;
}

/**
 * Writes synthetic TravelTide data (users, sessions, flights, hotels) into the landing.travel_*
 * tables as one batch (format `synthetic_travel`), and each user's true archetype into
 * landing.travel_archetypes, in one transaction. Streams: each table is one pass over the users,
 * every user regenerated from its own random stream, so memory does not grow with the run.
 * The same options generate nothing the second time.
 *
 * @example await generateTravel(pool, { users: 2_000, seed: 7 });
 */
export async function generateTravel(pool: pg.Pool, options: TravelGenerateOptions): Promise<TravelGenerateResult> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const resolved = resolveTravelOptions(options);
  const batch: BatchStart = { sourceFile: describeTravelRun(resolved), sha256: fingerprint(resolved), format: 'synthetic_travel' };
  const none = { users: 0, sessions: 0, flights: 0, hotels: 0 };
  const existing = await findLoadedBatch(pool, batch.sha256);
  if (existing !== undefined) return { batchId: existing, users: 0, rows: none, alreadyGenerated: true, seconds: seconds() };
  await refuseTakenIds(pool, resolved);

  const landed = await landBatch(
    pool,
    batch,
    async (client, batchId, tally) => {
      const rows = { ...none };
      const window = { startMs: Date.parse(`${resolved.start}T00:00:00Z`), months: resolved.months };
      const each = (index: number): TravellerRows => generateTraveller(resolved.seed, index, resolved.firstUserId, window);
      for (const table of TRAVEL_TABLES) {
        rows[table.name] = await copyPass(client, batchId, batch.sourceFile, table.name, resolved.users, each);
      }
      await copyArchetypes(client, batchId, resolved);
      tally.linesRead = tally.linesLoaded = Object.values(rows).reduce((s, n) => s + n, 0);
      return rows;
    },
    (error, failed) => generationFailure(error, batch.sourceFile, failed),
  );
  if (landed.alreadyLoaded) return { batchId: landed.batchId, users: 0, rows: none, alreadyGenerated: true, seconds: seconds() };
  return { batchId: landed.batchId, users: resolved.users, rows: landed.value, alreadyGenerated: false, seconds: seconds() };
}

/** `synthetic_travel:seed=7,users=2000`, plus any option not at its default: the batch's source_file. */
export function describeTravelRun(resolved: ResolvedTravelOptions): string {
  const parts = [`seed=${resolved.seed}`, `users=${resolved.users}`];
  if (resolved.start !== TRAVEL_DEFAULTS.start) parts.push(`start=${resolved.start}`);
  if (resolved.months !== TRAVEL_DEFAULTS.months) parts.push(`months=${resolved.months}`);
  if (resolved.firstUserId !== TRAVEL_DEFAULTS.firstUserId) parts.push(`first_user_id=${resolved.firstUserId}`);
  return `synthetic_travel:${parts.join(',')}`;
}

function fingerprint(resolved: ResolvedTravelOptions): string {
  return createHash('sha256').update(JSON.stringify({ domain: 'travel', version: TRAVEL_GENERATOR_VERSION, ...resolved })).digest('hex');
}

/** One table's rows for every user; `source_line` is the line a CSV of that table would give the row. */
async function copyPass(
  client: pg.PoolClient,
  batchId: number,
  sourceFile: string,
  table: TravelTableName,
  users: number,
  each: (index: number) => TravellerRows,
): Promise<number> {
  const spec = TRAVEL_TABLES.find((t) => t.name === table)!;
  const prefix = `${batchId}\t${copyRaw(sourceFile)}\t`;
  let written = 0;
  function* text(): Generator<string> {
    for (let index = 0; index < users; index++) {
      const traveller = each(index);
      const rows = table === 'users' ? [traveller.user] : traveller[table];
      let chunk = '';
      for (const row of rows) chunk += `${prefix}${++written + 1}\t${row}\n`;
      yield chunk;
    }
  }
  const sql = `copy ${spec.landing} (batch_id, source_file, source_line, ${spec.columns.map((c) => c.name).join(', ')}) from stdin`;
  const copied = await copyPieces(client, sql, text());
  if (copied !== written) throw new Error(`the server took ${copied} ${table} rows but ${written} were sent`);
  return written;
}

/** Each user's archetype, read again from its random stream rather than kept. */
async function copyArchetypes(client: pg.PoolClient, batchId: number, resolved: ResolvedTravelOptions): Promise<void> {
  function* text(): Generator<string> {
    for (let index = 0; index < resolved.users; index++) {
      yield `${resolved.firstUserId + index}\t${travelArchetypeOf(resolved.seed, index).name}\t${batchId}\n`;
    }
  }
  await copyPieces(client, 'copy landing.travel_archetypes (user_id, archetype, batch_id) from stdin', text());
}

/** Ids already used by landed users (real or synthetic): say so before generating anything. */
async function refuseTakenIds(pool: pg.Pool, resolved: ResolvedTravelOptions): Promise<void> {
  const first = resolved.firstUserId;
  const last = first + resolved.users - 1;
  const taken = await pool.query<{ low: string; high: string; n: string }>(
    `select min(user_id) as low, max(user_id) as high, count(*) as n from landing.travel_users where user_id between $1 and $2`,
    [first, last],
  );
  const clash = taken.rows[0];
  if (clash && Number(clash.n) > 0) {
    const above = await pool.query<{ high: string }>('select max(user_id) as high from landing.travel_users');
    throw new UsageError(
      `user ids ${first}–${last} overlap ${clash.n} landed users (${clash.low}–${clash.high}); ` +
        `choose others with --first-user-id ${Number(above.rows[0]!.high) + 1}`,
    );
  }
}
