/**
 * npm run validate-churn -- [--label cancellation|no_purchase] [--cutoff YYYY-MM[-DD]] [--holdout 0.3]
 *   [--churn-days 90] [--source <staging model>] [--json] [--project-dir <dir>]
 *
 * Backtests the churn model at a cutoff: fits it on 70% of the labelled rows (deterministic, by a
 * hash of the id), scores the other 30%, and prints ROC AUC, PR AUC, lift in the top decile, the
 * Brier score and calibration in ten bins, beside two baselines (recency alone; the BG/NBD churn
 * probability). Every run is recorded in strata_meta.churn_fits. Reads the published gold and
 * silver of the project's database (DATABASE_URL, else its embedded server).
 */
import { Command, InvalidArgumentError } from 'commander';
import { Kysely, PostgresDialect } from 'kysely';
import type { CommandContext } from '../cli/command.ts';
import { UsageError } from '../core/errors.ts';
import { log, openIngestDatabase } from '../ingest/cli-support.ts';
import { recordFit } from './store.ts';
import { backtest } from './validate/backtest.ts';
import { formatReport, reportJson } from './validate/report.ts';
import { cancellationData, noPurchaseData } from './validate/sources.ts';

interface Options {
  readonly label: string;
  readonly cutoff?: string;
  readonly holdout: number;
  readonly churnDays: number;
  readonly source?: string;
  readonly json: boolean;
  readonly projectDir: string;
}

/** `2018-01` or `2018-01-01` → `2018-01-01` (a cutoff is the first day of its month for cancellations). */
export function parseCutoff(text: string): string {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text.trim());
  const iso = match ? `${match[1]}-${match[2]}-${match[3] ?? '01'}` : '';
  // a real calendar day: Date rolls 2017-13-01 or 2018-02-30 over, which the round trip catches
  const day = new Date(`${iso}T00:00:00Z`);
  if (!match || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== iso) {
    throw new InvalidArgumentError('expected a date as YYYY-MM or YYYY-MM-DD, e.g. 2018-01');
  }
  return iso;
}

function share(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 1)) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.3');
  return value;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return value;
}

/** The `validate-churn` command; registered in scripts/cli/commands.ts. */
export function validateChurnCommand(cli: CommandContext): Command {
  return new Command('validate-churn')
  .description('backtest the churn model at a cutoff against recency alone and the BG/NBD churn probability')
  .option('--label <label>', 'cancellation (the airline members\' own cancellations) | no_purchase (no order within --churn-days; any source)', 'cancellation')
  .option('--cutoff <YYYY-MM>', 'cancellation: the published churn features\' cutoff (2018-01 on the Maven data); no_purchase: default the latest order minus --churn-days', parseCutoff)
  .option('--holdout <share>', 'share of rows held out, chosen by a hash of the id', share, 0.3)
  .option('--churn-days <n>', 'no_purchase: the days without an order that count as churn', positiveInteger, 90)
  .option('--source <model>', 'no_purchase: only orders of this source (silver.orders.source, e.g. retail_order_lines)')
  .option('--json', 'print one JSON object instead of the table', false)
  .option('--project-dir <dir>', 'the project whose embedded server to use when DATABASE_URL is not set', process.cwd())
  .action(cli.action((raw: Options) => validateChurn(raw)));
}

async function validateChurn(options: Options): Promise<number> {
  if (options.label !== 'cancellation' && options.label !== 'no_purchase') {
    throw new UsageError(`--label must be cancellation or no_purchase, got ${JSON.stringify(options.label)}`);
  }
  const db = await openIngestDatabase(options.projectDir);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: db.pool }) });
  try {
    const started = performance.now();
    const data =
      options.label === 'cancellation'
        ? await cancellationData(db.pool, options.cutoff)
        : await noPurchaseData(db.pool, {
            churnDays: options.churnDays,
            ...(options.cutoff ? { cutoff: options.cutoff } : {}),
            ...(options.source ? { source: options.source } : {}),
          });
    const report = backtest(data, options.holdout);
    const json = reportJson(report);
    const fitId = await recordFit(
      kysely,
      report.fitted,
      {
        buildId: null,
        purpose: 'validate',
        label: data.label,
        source: data.source,
        cutoff: data.cutoff,
        horizonMonths: Math.round(data.horizonMonths),
        settings: { holdout: options.holdout, churn_days: options.label === 'no_purchase' ? options.churnDays : null },
      },
      json,
    );
    process.stdout.write(options.json ? `${JSON.stringify({ ...json, fit_id: fitId }, jsonNumbers, 2)}\n` : `${formatReport(report)}\n`);
    log(`validated in ${((performance.now() - started) / 1000).toFixed(1)} s; recorded as strata_meta.churn_fits fit_id ${fitId}`);
    return 0;
  } finally {
    await db.close();
  }
}

/** NaN and infinities as null in the JSON output. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

