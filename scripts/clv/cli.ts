/**
 * `clv fit --model bgnbd|mbgnbd|pareto|gammagamma --summary <file.csv> [--map ours=theirs,…]`
 *   Fits one model to a customer-summary CSV and prints one JSON object:
 *   {"model","params","log_likelihood","converged","customers","standard_errors","iterations"}.
 * `clv predict --model bgnbd|mbgnbd|pareto --summary <file.csv> [--map …] [--horizon <units>] [--params …]`
 *   Writes one CSV row per customer: id, p_alive, expected_purchases (and expected_spend).
 *
 * Warnings (e.g. spend correlated with frequency) go to stderr. `--help` works on every command.
 * Exit codes follow StrataError: 2 for usage errors, 1 for failures.
 */
import { Command, Option } from 'commander';
import { runCommandLine, type CommandContext } from '../cli/command.ts';
import { UsageError } from '../core/errors.ts';
import { fitModel } from './fit.ts';
import { MODELS } from './models.ts';
import { predictFile } from './predict-file.ts';
import { parseColumnMap, readSummaryFile } from './read-summary.ts';
import { MODEL_NAMES, type ModelName } from './types.ts';
import { exitCodeOf, type CliIo } from './cli-io.ts';

interface FitOptions {
  readonly model: string;
  readonly summary: string;
  readonly map: readonly string[];
}

interface PredictOptions extends FitOptions {
  readonly horizon: string;
  readonly params?: string;
  readonly spendParams?: string;
}

const PURCHASE_MODELS = ['bgnbd', 'mbgnbd', 'pareto'] as const;

const mapOption = (): Option =>
  new Option('--map <ours=theirs,...>', "read strata's columns from the file's own, e.g. frequency=x,recency=t_x,T=T,monetary_value=zbar,id=cust (repeatable)")
    .argParser(collect)
    .default([], 'the default column names');

/** The `clv` command and its `fit` sub-command; registered in scripts/cli/commands.ts. */
export function clvCommand(cli: CommandContext): Command {
  const clv = new Command('clv').description('lifetime-value models on a customer-summary CSV file');
  clv
    .command('fit')
    .description('fit one model to a customer-summary CSV and print one JSON object: model, params, log_likelihood, converged, customers, standard_errors, iterations')
    .requiredOption('--model <name>', MODEL_NAMES.join(' | '))
    .requiredOption('--summary <file.csv>', 'one row per customer: frequency, recency, T (and monetary_value for gammagamma)')
    .addOption(mapOption())
    .action(cli.action((options: FitOptions) =>
      exitCodeOf(cli.io, async () => {
        cli.io.out(JSON.stringify(await fitCommand(options, cli.io)) + '\n');
        return 0;
      })));
  clv
    .command('predict')
    .description('write CSV to stdout, one row per customer: id, p_alive, expected_purchases over the horizon, and expected_spend (Gamma-Gamma) when the file has a monetary column')
    .requiredOption('--model <name>', PURCHASE_MODELS.join(' | '))
    .requiredOption('--summary <file.csv>', 'one row per customer: id, frequency, recency, T (times in one unit)')
    .addOption(mapOption())
    .option('--horizon <units>', 'the prediction horizon in the summary\'s time unit', '52')
    .option('--params <json|file>', 'the purchase model\'s parameters ({"r":…,"alpha":…,"a":…,"b":…} or clv fit\'s output) instead of fitting them on the file')
    .option('--spend-params <json|file>', 'the Gamma-Gamma parameters {"p":…,"q":…,"v":…} instead of fitting them')
    .action(cli.action((options: PredictOptions) =>
      exitCodeOf(cli.io, async () => {
        await predictCommand(options, cli.io);
        return 0;
      })));
  return clv;
}

async function predictCommand(options: PredictOptions, io: CliIo): Promise<void> {
  const model = options.model;
  if (!(PURCHASE_MODELS as readonly string[]).includes(model)) {
    throw new UsageError(`unknown model "${model}" for predict; expected one of ${PURCHASE_MODELS.join(', ')}`);
  }
  const horizon = Number(options.horizon);
  if (!(horizon > 0)) throw new UsageError(`--horizon must be a positive number of time units, got "${options.horizon}"`);
  await predictFile(
    {
      model: model as (typeof PURCHASE_MODELS)[number],
      summary: options.summary,
      columns: parseColumnMap(options.map),
      horizon,
      ...(options.params ? { params: options.params } : {}),
      ...(options.spendParams ? { spendParams: options.spendParams } : {}),
    },
    io.out,
    io.err,
  );
}

/** Runs `clv …` on `argv` (without node and script) in-process; returns the exit code. */
export async function clvMain(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommandLine((cli) => clvCommand(cli), argv, io);
}

async function fitCommand(options: FitOptions, io: CliIo): Promise<Record<string, unknown>> {
  const model = options.model;
  if (!isModelName(model)) throw new UsageError(`unknown model "${model}"; expected one of ${MODEL_NAMES.join(', ')}`);
  const columns = parseColumnMap(options.map);
  const summary = await readSummaryFile(options.summary, MODELS[model].kind, columns);
  const fit = fitModel(model, summary.rows);
  for (const warning of fit.warnings) io.err(`warning: ${warning}\n`);
  return {
    model: fit.model,
    params: fit.params,
    log_likelihood: fit.logLikelihood,
    converged: fit.converged,
    customers: fit.customers,
    standard_errors: fit.standardErrors,
    iterations: fit.iterations,
  };
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}
