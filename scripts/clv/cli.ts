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
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { fitModel } from './fit.ts';
import { MODELS } from './models.ts';
import { predictFile } from './predict-file.ts';
import { parseColumnMap, readSummaryFile } from './read-summary.ts';
import { MODEL_NAMES } from './types.ts';
import { exitCodeOf, type CliIo } from './cli-io.ts';

const MAP_HELP = '  --map ours=theirs,…   the file\'s column names: frequency (x), recency (t_x), T, monetary_value, id\n';

const HELP: Readonly<Record<'clv' | 'fit' | 'predict', string>> = {
  clv:
    'usage: clv <command> [options]\n\n' +
    'commands:\n' +
    '  fit       fit one model to a customer-summary CSV and print its parameters as JSON\n' +
    '  predict   write P(alive), expected purchases and expected spend per customer as CSV\n\n' +
    '"clv <command> --help" explains each.\n',
  fit:
    'usage: clv fit --model bgnbd|mbgnbd|pareto|gammagamma --summary <file.csv> [--map …]\n\n' +
    'Fits the model by maximum likelihood and prints one JSON object: model, params, log_likelihood,\n' +
    'converged, customers, standard_errors, iterations.\n\n' +
    '  --model <name>        bgnbd, mbgnbd, pareto (purchases) or gammagamma (spend)\n' +
    '  --summary <file.csv>  one row per customer: frequency, recency, T (and monetary_value for gammagamma)\n' +
    MAP_HELP,
  predict:
    'usage: clv predict --model bgnbd|mbgnbd|pareto --summary <file.csv> [--map …] [--horizon <units>]\n' +
    '                   [--params <json|file>] [--spend-params <json|file>]\n\n' +
    'Writes CSV to stdout, one row per customer: id, p_alive, expected_purchases over the horizon, and\n' +
    'expected_spend (Gamma-Gamma expected value of a purchase) when the file has a monetary column.\n\n' +
    '  --model <name>           bgnbd, mbgnbd or pareto\n' +
    '  --summary <file.csv>     one row per customer: id, frequency, recency, T (times in one unit)\n' +
    MAP_HELP +
    '  --horizon <units>        the prediction horizon in the summary\'s time unit (default 52)\n' +
    '  --params <json|file>     the purchase model\'s parameters ({"r":…,"alpha":…,"a":…,"b":…} or clv fit\'s\n' +
    '                           output) instead of fitting them on the file\n' +
    '  --spend-params <json|file>  the Gamma-Gamma parameters {"p":…,"q":…,"v":…} instead of fitting them\n',
};

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export async function clvMain(argv: readonly string[], io: CliIo): Promise<number> {
  return exitCodeOf(io, async () => {
    const { values, positionals } = parse(argv);
    const command = positionals[0];
    if (values.help) {
      io.out(command === 'fit' || command === 'predict' ? HELP[command] : HELP.clv);
      return 0;
    }
    if (positionals.length > 1 || (command !== 'fit' && command !== 'predict')) {
      const got = positionals.length ? `, got "${positionals.join(' ')}"` : '';
      throw new UsageError(`expected the command "fit" or "predict"${got}\n${HELP.clv}`);
    }
    if (command === 'fit') {
      io.out(JSON.stringify(await fitCommand(values, io)) + '\n');
      return 0;
    }
    await predictCommand(values, io);
    return 0;
  });
}

type Values = ReturnType<typeof parse>['values'];

async function fitCommand(values: Values, io: CliIo): Promise<Record<string, unknown>> {
  const model = requiredModel(values, MODEL_NAMES, 'fit');
  const foreign = (['horizon', 'params', 'spend-params'] as const).filter((flag) => values[flag] !== undefined);
  if (foreign.length > 0) throw new UsageError(`${foreign.map((f) => `--${f}`).join(', ')}: only for clv predict\n${HELP.fit}`);
  if (!values.summary) throw new UsageError(`--summary is required\n${HELP.fit}`);
  const columns = parseColumnMap(values.map ?? []);
  const summary = await readSummaryFile(values.summary, MODELS[model].kind, columns);
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

async function predictCommand(values: Values, io: CliIo): Promise<void> {
  const model = requiredModel(values, ['bgnbd', 'mbgnbd', 'pareto'] as const, 'predict');
  if (!values.summary) throw new UsageError(`--summary is required\n${HELP.predict}`);
  const horizon = values.horizon === undefined ? 52 : Number(values.horizon);
  if (!(horizon > 0)) throw new UsageError(`--horizon must be a positive number of time units, got "${values.horizon}"`);
  await predictFile(
    {
      model,
      summary: values.summary,
      columns: parseColumnMap(values.map ?? []),
      horizon,
      ...(values.params ? { params: values.params } : {}),
      ...(values['spend-params'] ? { spendParams: values['spend-params'] } : {}),
    },
    io.out,
    io.err,
  );
}

function requiredModel<T extends string>(values: Values, names: readonly T[], command: 'fit' | 'predict'): T {
  const model = values.model;
  if (!model) throw new UsageError(`--model is required\n${HELP[command]}`);
  if (!(names as readonly string[]).includes(model)) throw new UsageError(`unknown model "${model}"; expected one of ${names.join(', ')}`);
  return model as T;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        model: { type: 'string' },
        summary: { type: 'string' },
        map: { type: 'string', multiple: true },
        horizon: { type: 'string' },
        params: { type: 'string' },
        'spend-params': { type: 'string' },
      },
    });
  } catch (error) {
    // node:util throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags
    throw new UsageError(`${(error as Error).message}\n${HELP.clv}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `clv predict … | head`: a reader that stops early is not an error
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await clvMain(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}
