/**
 * npm run generate -- --customers N --seed S [--start 2010-12-01] [--months 12 | --days N] [--country-mix …]
 *                     [--first-customer-id N] [--first-invoice-no N] [--out file.csv[.gz]]
 *
 * Synthetic transactions into landing.order_lines (true archetypes into
 * landing.synthetic_archetypes), or with --out into an Online Retail CSV file instead. Into a
 * database that already holds lines, customer ids and invoice numbers continue after the largest
 * ones there, so `--start <the day after> --days 1` adds the next day of an existing data set.
 *
 * npm run generate -- --domain travel --users N --seed S [--start 2023-01-01] [--months 6] [--first-user-id N]
 *
 * Synthetic TravelTide users, sessions, flights and hotels (docs/travel.md).
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../cli/command.ts';
import { UsageError } from '../core/errors.ts';
import { count, log, openIngestDatabase } from './cli-support.ts';
import { generate } from './generate.ts';
import { progressOn, type Progress } from './progress.ts';
import { writeCsv } from './synthetic/csv-file.ts';
import { resolveOptions, type GenerateOptions } from './synthetic/lines.ts';
import { runTravel, type TravelCliOptions } from './synthetic/travel/cli.ts';

/** Runs smaller than this finish in a moment: no progress display. */
const PROGRESS_FROM_CUSTOMERS = 20_000;

interface GenerateCliOptions extends TravelCliOptions {
  readonly domain: string;
  readonly customers?: number;
  readonly seed: number;
  readonly start?: string;
  readonly months?: number;
  readonly days?: number;
  readonly countryMix?: string;
  readonly firstCustomerId?: number;
  readonly firstInvoiceNo?: number;
  readonly out?: string;
  readonly projectDir: string;
}

const wholeNumber = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
};

/** The `generate` command; registered in scripts/cli/commands.ts. */
export function generateCommand(cli: CommandContext): Command {
  return new Command('generate')
  .description('generate synthetic order lines (customer archetypes, seasonality, real-data mess) into landing.order_lines')
  .option('--domain <name>', 'retail (order lines) or travel (TravelTide users, sessions, flights, hotels)', 'retail')
  .option('--customers <n>', 'retail: how many customers (required)', wholeNumber)
  .option('--users <n>', 'travel: how many users (required)', wholeNumber)
  .option('--first-user-id <n>', 'travel: user ids start here (default 2000001)', wholeNumber)
  .requiredOption('--seed <n>', 'random seed: the same seed and options give the same rows', wholeNumber)
  .option('--start <date>', 'first day, YYYY-MM-DD (default 2010-12-01; travel 2023-01-01)')
  .option('--months <n>', 'months of orders (default 12; travel: months of sessions, default 6)', wholeNumber)
  .option('--days <n>', 'retail: days of orders instead of months (--start <next day> --days 1: the next day of a data set)', wholeNumber)
  .option('--country-mix <mix>', 'country weights, e.g. "United Kingdom=0.9,Germany=0.05,France=0.05"')
  .option('--first-customer-id <n>', 'customer ids start here (default: after the largest in the database, at least 100001)', wholeNumber)
  .option('--first-invoice-no <n>', 'invoice numbers start here (default: after the largest in the database, at least 536365)', wholeNumber)
  .option('--out <file>', 'write an Online Retail CSV file (.gz to compress) instead of the database')
  .option('--project-dir <dir>', 'the project whose embedded server to use when DATABASE_URL is not set', process.cwd())
  .showHelpAfterError()
  .action(cli.action((raw: GenerateCliOptions) => run(raw)));
}

async function run(raw: GenerateCliOptions): Promise<number> {
  if (raw.domain === 'travel') return runTravel(raw);
  if (raw.domain !== 'retail') throw new UsageError(`--domain must be retail or travel, got ${raw.domain}`);
  if (raw.customers === undefined) throw new UsageError('--customers <n> is required for --domain retail');
  const options: GenerateOptions = {
    customers: raw.customers,
    seed: raw.seed,
    ...(raw.start !== undefined ? { start: raw.start } : {}),
    ...(raw.months !== undefined ? { months: raw.months } : {}),
    ...(raw.days !== undefined ? { days: raw.days } : {}),
    ...(raw.countryMix !== undefined ? { countryMix: raw.countryMix } : {}),
    ...(raw.firstCustomerId !== undefined ? { firstCustomerId: raw.firstCustomerId } : {}),
    ...(raw.firstInvoiceNo !== undefined ? { firstInvoiceNo: raw.firstInvoiceNo } : {}),
  };
  resolveOptions(options); // bad options fail here, before a server starts or a file is created
  const progress: Progress | undefined =
    raw.customers >= PROGRESS_FROM_CUSTOMERS ? progressOn({ total: raw.customers, label: 'generating' }) : undefined;
  try {
    if (raw.out) {
      const result = await writeCsv(options, raw.out, (done, lines) => progress?.update(done, lines));
      progress?.stop();
      log(`wrote ${count(result.lines)} lines for ${count(result.customers)} customers to ${raw.out} in ${result.seconds.toFixed(1)}s (${rate(result.lines, result.seconds)} lines/s)`);
      return 0;
    }
    const db = await openIngestDatabase(raw.projectDir);
    try {
      const result = await generate(db.pool, { ...options, onProgress: (p) => progress?.update(p.customersDone, p.lines) });
      progress?.stop();
      if (result.alreadyGenerated) {
        log(`these options were generated before as batch ${result.batchId}: nothing added`);
        return 0;
      }
      log(
        `generated ${count(result.lines)} lines for ${count(result.customers)} customers (ids from ${result.firstCustomerId}, ` +
          `invoices from ${result.firstInvoiceNo}) as batch ${result.batchId} ` +
          `in ${result.seconds.toFixed(1)}s (${rate(result.lines, result.seconds)} lines/s); true archetypes are in landing.synthetic_archetypes`,
      );
      return 0;
    } finally {
      await db.close();
    }
  } finally {
    progress?.stop();
  }
}

function rate(lines: number, seconds: number): string {
  return count(Math.round(lines / Math.max(seconds, 1e-9)));
}

