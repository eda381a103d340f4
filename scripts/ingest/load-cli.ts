/**
 * npm run load -- <file.csv|file.csv.gz> [--format online_retail|orders] [--map ours=theirs ...]
 * npm run load -- --list
 * npm run load -- --retract <batch> --why "…" [--by <name>]
 *
 * Streams one CSV file into landing.order_lines (bad rows into landing.quarantine). Loading the
 * same file again adds nothing. --list shows every batch; --retract withdraws a bad one (the next
 * build removes its lines from silver and gold). The database is DATABASE_URL, else the
 * project's embedded server.
 */
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../core/errors.ts';
import type { CommandContext } from '../cli/command.ts';
import { count, log, openIngestDatabase } from './cli-support.ts';
import { inspectFile, loadFile } from './load.ts';
import { parseColumnMap } from './loader/layout.ts';
import { progressOn, type Progress } from './progress.ts';
import { listBatches, retractBatch, type BatchListing } from './retract.ts';
import { inspectTravelFile } from './travel/load.ts';

/** Files smaller than this load in a moment: no progress display. */
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

interface LoadCliOptions {
  readonly format?: string;
  readonly map?: readonly string[];
  readonly list?: boolean;
  readonly retract?: number;
  readonly why?: string;
  readonly by?: string;
  readonly projectDir: string;
}

const batchNumber = (value: string): number => {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected a batch number (see --list)');
  return Number(value);
};

/** The `load` command; registered in scripts/cli/commands.ts. */
export function loadCommand(cli: CommandContext): Command {
  return new Command('load')
  .description('load a CSV file (plain or .gz) into landing.order_lines, a TravelTide table into landing.travel_*, or the airline loyalty files into their landing tables; list the batches; retract a bad one')
  .argument('[file]', 'the CSV file: UCI Online Retail layout, strata\'s orders layout, TravelTide users/sessions/flights/hotels, or the airline loyalty members and flight activity (recognised by the header)')
  .option('--format <name>', 'online_retail | orders | airline_members | airline_flight_activity (default: detected from the header)')
  .option('--map <ours=theirs...>', "read one of strata's columns from a column of yours, e.g. customer_id=ClientNumber")
  .option('--list', 'list every batch: status, lines, quarantined, retracted by whom and why')
  .option('--retract <batch>', 'withdraw a loaded batch: the next build removes its lines from silver and gold', batchNumber)
  .option('--why <reason>', 'with --retract: why (kept with the batch)')
  .option('--by <name>', 'with --retract: who retracts (default: the OS user)')
  .option('--project-dir <dir>', 'the project whose embedded server to use when DATABASE_URL is not set', process.cwd())
  .showHelpAfterError()
  .action(cli.action((file: string | undefined, raw: LoadCliOptions) => dispatch(file, raw)));
}

/** Exactly one of: a file to load, --list, --retract. */
async function dispatch(file: string | undefined, raw: LoadCliOptions): Promise<number> {
  const chosen = [file !== undefined, raw.list === true, raw.retract !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give a file to load, --list, or --retract <batch> --why "…" (one of them)');
  if (raw.retract === undefined && (raw.why !== undefined || raw.by !== undefined)) throw new UsageError('--why and --by go with --retract');
  if (file === undefined && (raw.format !== undefined || raw.map !== undefined)) throw new UsageError('--format and --map go with a file to load');
  if (raw.list) return list(raw.projectDir);
  if (raw.retract !== undefined) {
    if (raw.why === undefined) throw new UsageError('--retract needs --why "…": the reason is kept with the batch');
    return retract(raw.retract, raw.why, raw.by ?? userInfo().username, raw.projectDir);
  }
  return load(file!, raw);
}

async function list(projectDir: string): Promise<number> {
  const db = await openIngestDatabase(projectDir);
  try {
    const batches = await listBatches(db.pool);
    process.stdout.write(`${formatBatches(batches)}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

async function retract(batchId: number, why: string, by: string, projectDir: string): Promise<number> {
  const db = await openIngestDatabase(projectDir);
  try {
    const batch = await retractBatch(db.pool, { batchId, by, why });
    log(
      `retracted batch ${batch.batchId} (${batch.sourceFile}, ${count(batch.lines)} lines) by ${batch.retractedBy}: ${batch.retractedWhy}\n` +
        'the next build removes its lines from silver and gold (npm run build-models)',
    );
    return 0;
  } finally {
    await db.close();
  }
}

/** A plain table, one batch a line. */
function formatBatches(batches: readonly BatchListing[]): string {
  if (batches.length === 0) return 'no batches yet';
  const rows = batches.map((b) => [
    String(b.batchId),
    b.status === 'retracted' && b.appliedInBuild === null ? 'retracted (pending build)' : b.status,
    count(b.lines),
    count(b.quarantined),
    b.startedAt.toISOString().slice(0, 19).replace('T', ' '),
    b.sourceFile,
    b.retractedBy === null ? '' : `${b.retractedBy} at ${b.retractedAt!.toISOString().slice(0, 19).replace('T', ' ')}: ${b.retractedWhy}`,
  ]);
  const header = ['batch', 'status', 'lines', 'quarantined', 'loaded at (UTC)', 'file', 'retracted'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

async function load(file: string, raw: LoadCliOptions): Promise<number> {
  const options = { file, ...(raw.format ? { format: raw.format } : {}), map: parseColumnMap(raw.map ?? []) };
  // Everything wrong with the file or the arguments is reported before a server is started.
  const travel = raw.format ? undefined : await inspectTravelFile(file);
  const inspected = travel ? { source: travel.source, layout: { format: travel.table.format } } : await inspectFile(options);
  const db = await openIngestDatabase(raw.projectDir);
  let progress: Progress | undefined;
  try {
    if (inspected.source.bytes >= PROGRESS_FROM_BYTES) {
      progress = progressOn({ total: inspected.source.bytes, label: `loading ${basename(file)}` });
    }
    const result = await loadFile(db.pool, {
      ...options,
      onProgress: (p) => progress?.update(p.bytesRead, p.linesRead),
    });
    progress?.stop();
    if (result.alreadyLoaded) {
      log(`${file} is already loaded as batch ${result.batchId}: nothing added`);
      return 0;
    }
    const rate = count(Math.round(result.linesRead / Math.max(result.seconds, 1e-9)));
    log(
      `loaded ${count(result.linesLoaded)} of ${count(result.linesRead)} lines from ${file} as batch ${result.batchId} ` +
        `(${inspected.layout.format} format) in ${result.seconds.toFixed(1)}s, ${rate} lines/s`,
    );
    if (result.linesRejected > 0) {
      log(
        `${count(result.linesRejected)} lines could not be read and are in landing.quarantine; see them with:\n` +
          `  select reason, column_name, count(*) from landing.quarantine where batch_id = ${result.batchId} group by 1, 2`,
      );
    }
    return 0;
  } finally {
    progress?.stop();
    await db.close();
  }
}

