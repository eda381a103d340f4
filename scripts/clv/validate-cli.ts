/**
 * `validate-clv --holdout <N>d|<N>w (--file <csv> | --cdnow <path> | --source db) [options]`
 *
 * Splits transactions into a calibration period and a holdout (the last N days or weeks of the
 * data, or the N after --calibration-end), fits every purchase model on the calibration period,
 * and reports per model: predicted vs actual holdout purchases per customer (MAE, RMSE,
 * correlation), the totals, and the ROC AUC of P(alive) separating customers who bought again in
 * the holdout from those who did not; and the same for a naive baseline (each customer's
 * calibration purchase rate continued). Files stream in and are aggregated per customer while
 * read; `--source db` does the split in SQL on the project's silver.orders.
 */
import { Command } from 'commander';
import { runCommandLine, type CommandContext } from '../cli/command.ts';
import { UsageError } from '../core/errors.ts';
import { DAYS_PER_UNIT, PURCHASE_MODELS, type TimeUnitVar } from './settings.ts';
import type { PurchaseModelName } from './types.ts';
import { splitFromOrders } from './validate/db-source.ts';
import { DEFAULT_CSV_COLUMNS, dayNumber, isoDay, readCdnow, readTransactionsCsv, type CsvColumns, type Purchase } from './validate/purchases.ts';
import { formatReport, reportJson, validate } from './validate/report.ts';
import { CustomerDays, type Split } from './validate/split.ts';
import { exitCodeOf, type CliIo } from './cli-io.ts';

/** The `validate-clv` command; registered in scripts/cli/commands.ts. */
export function validateClvCommand(cli: CommandContext): Command {
  return new Command('validate-clv')
    .description('holdout accuracy of each purchase model: fit on a calibration period, compare with the holdout (per customer, totals, ROC AUC of P(alive)) and a naive baseline')
    .option('--holdout <N>d|<N>w', 'the holdout: the last N days or weeks of the data, or the N after --calibration-end (required)')
    .option('--file <transactions.csv[.gz]>', 'transactions from any CSV file (see --columns)')
    .option('--cdnow <file>', 'CDNOW transactions: CDNOW_master.txt.gz or CDNOW_sample.txt')
    .option('--source <db>', "'db': the project's published silver.orders, split in SQL")
    .option('--unit <unit>', 'day | week | month', 'week')
    .option('--calibration-end <YYYY-MM-DD>', 'end of the calibration period (default: the holdout is the last N of the data)')
    .option('--models <list>', `comma-separated, from ${PURCHASE_MODELS.join(', ')} (default all)`)
    .option('--columns <pairs>', 'with --file: customer=<col>,date=<col>,amount=<col>')
    .option('--project-dir <dir>', 'with --source db: the project whose database to read', '.')
    .option('--json', 'print the report as JSON', false)
    .action(cli.action((raw: RawOptions) => exitCodeOf(cli.io, () => validateRun(raw, cli.io))));
}

/** Runs `validate-clv` on `argv` (without node and script) in-process; returns the exit code. */
export async function validateMain(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommandLine((cli) => validateClvCommand(cli), argv, io);
}

async function validateRun(raw: RawOptions, io: CliIo): Promise<number> {
  const options = parseOptions(raw);
  const started = performance.now();
  const split = await readSplit(options, io);
  const report = validate(options.label, split, options.unit, DAYS_PER_UNIT[options.unit], options.models);
  io.out(options.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${formatReport(report)}\n`);
  io.err(`validated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** Commander's option values, before they are checked. */
interface RawOptions {
  readonly holdout?: string;
  readonly file?: string;
  readonly cdnow?: string;
  readonly source?: string;
  readonly unit: string;
  readonly calibrationEnd?: string;
  readonly models?: string;
  readonly columns?: string;
  readonly projectDir: string;
  readonly json: boolean;
}

interface Options {
  readonly holdoutDays: number;
  readonly source: { readonly kind: 'file' | 'cdnow'; readonly path: string } | { readonly kind: 'db'; readonly projectDir: string };
  readonly label: string;
  readonly unit: TimeUnitVar;
  readonly calibrationEnd?: string;
  readonly models: readonly PurchaseModelName[];
  readonly columns: CsvColumns;
  readonly json: boolean;
}

/** `39w`, `39 weeks`, `90d`, `90 days` → days. */
export function parseHoldout(text: string): number {
  const match = /^\s*(\d+)\s*(d|days?|w|weeks?)\s*$/i.exec(text);
  const n = match ? Number(match[1]) : NaN;
  if (!match || !(n > 0)) throw new UsageError(`--holdout must be a number of days or weeks such as 90d or 39w, got ${JSON.stringify(text)}`);
  return match[2]!.toLowerCase().startsWith('w') ? 7 * n : n;
}

function parseOptions(values: RawOptions): Options {
  if (!values.holdout) throw new UsageError('--holdout is required');
  const sources = [values.file, values.cdnow, values.source].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new UsageError('give exactly one of --file, --cdnow, --source db');
  if (values.source !== undefined && values.source !== 'db') throw new UsageError(`--source takes only "db", got ${JSON.stringify(values.source)}`);
  if (!Object.hasOwn(DAYS_PER_UNIT, values.unit)) throw new UsageError(`--unit must be day, week or month, got ${JSON.stringify(values.unit)}`);
  const end = values.calibrationEnd;
  if (end !== undefined && Number.isNaN(dayNumber(end))) throw new UsageError(`--calibration-end must be a date YYYY-MM-DD, got ${JSON.stringify(end)}`);
  const source: Options['source'] = values.file
    ? { kind: 'file', path: values.file }
    : values.cdnow
      ? { kind: 'cdnow', path: values.cdnow }
      : { kind: 'db', projectDir: values.projectDir };
  return {
    holdoutDays: parseHoldout(values.holdout),
    source,
    label: source.kind === 'db' ? 'silver.orders (the published build)' : source.path.split('/').pop()!,
    unit: values.unit as TimeUnitVar,
    ...(end !== undefined ? { calibrationEnd: end } : {}),
    models: parseModels(values.models),
    columns: parseColumns(values.columns),
    json: values.json,
  };
}

function parseModels(text: string | undefined): PurchaseModelName[] {
  if (text === undefined) return [...PURCHASE_MODELS];
  const models = text.split(',').map((m) => m.trim());
  const unknown = models.filter((m) => !(PURCHASE_MODELS as readonly string[]).includes(m));
  if (unknown.length > 0) throw new UsageError(`--models: unknown model ${unknown.join(', ')}; expected ${PURCHASE_MODELS.join(', ')}`);
  return models as PurchaseModelName[];
}

function parseColumns(text: string | undefined): CsvColumns {
  const columns: Record<string, string> = { ...DEFAULT_CSV_COLUMNS };
  for (const pair of (text ?? '').split(',').filter((p) => p.trim())) {
    const [ours, theirs] = pair.split('=').map((p) => p.trim());
    if (!ours || !theirs || !(ours in DEFAULT_CSV_COLUMNS)) {
      throw new UsageError(`--columns expects customer=<col>,date=<col>,amount=<col>, got ${JSON.stringify(pair)}`);
    }
    columns[ours] = theirs;
  }
  return columns as unknown as CsvColumns;
}

async function readSplit(options: Options, io: CliIo): Promise<Split> {
  const end = options.calibrationEnd === undefined ? undefined : dayNumber(options.calibrationEnd);
  const { source } = options;
  if (source.kind === 'db') {
    // imported here: opening the project's database may start the embedded server
    const { openProjectDatabase } = await import('../cli/session.ts');
    const db = await openProjectDatabase(source.projectDir, (line) => io.err(`${line}\n`), 2);
    try {
      return await splitFromOrders(db.pool, options.holdoutDays, options.calibrationEnd);
    } finally {
      await db.close();
    }
  }
  const purchases: AsyncIterable<Purchase> =
    source.kind === 'cdnow' ? readCdnow(source.path) : readTransactionsCsv(source.path, options.columns);
  const days = new CustomerDays();
  let rows = 0;
  for await (const purchase of purchases) {
    days.add(purchase);
    rows++;
  }
  const split = days.split(options.holdoutDays, end);
  io.err(`read ${rows.toLocaleString('en-US')} purchases of ${days.customers.toLocaleString('en-US')} customers; calibration ends ${isoDay(split.periods.calibrationEnd)}\n`);
  return split;
}
