/**
 * `clv fit --model bgnbd|mbgnbd|pareto|gammagamma --summary <file.csv> [--map ours=theirs,…]`
 *
 * Fits one model to a customer-summary CSV and prints one JSON object:
 * {"model","params","log_likelihood","converged","customers","standard_errors","iterations"}.
 * Warnings (e.g. spend correlated with frequency) go to stderr. Exit codes follow StrataError:
 * 2 for usage errors, 1 for failures.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { fitModel } from './fit.ts';
import { MODELS } from './models.ts';
import { parseColumnMap, readSummaryFile } from './read-summary.ts';
import { MODEL_NAMES, type ModelName } from './types.ts';
import { exitCodeOf, type CliIo } from './cli-io.ts';

const USAGE =
  'usage: clv fit --model bgnbd|mbgnbd|pareto|gammagamma --summary <file.csv> ' +
  '[--map frequency=x,recency=t_x,T=T,monetary_value=zbar]';

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export async function clvMain(argv: readonly string[], io: CliIo): Promise<number> {
  return exitCodeOf(io, async () => {
    io.out(JSON.stringify(await fitCommand(argv, io)) + '\n');
    return 0;
  });
}

async function fitCommand(argv: readonly string[], io: CliIo): Promise<Record<string, unknown>> {
  const { values, positionals } = parse(argv);
  if (positionals[0] !== 'fit' || positionals.length > 1) {
    const got = positionals.length ? `, got "${positionals.join(' ')}"` : '';
    throw new UsageError(`expected the command "fit"${got}\n${USAGE}`);
  }
  const model = values.model;
  if (!model) throw new UsageError(`--model is required\n${USAGE}`);
  if (!isModelName(model)) throw new UsageError(`unknown model "${model}"; expected one of ${MODEL_NAMES.join(', ')}`);
  if (!values.summary) throw new UsageError(`--summary is required\n${USAGE}`);

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

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        summary: { type: 'string' },
        map: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    // node:util throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await clvMain(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}
