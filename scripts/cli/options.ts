import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.ts';
import type { CommonOptions } from './session.ts';

/** `--project-dir`: every runner command takes it. */
export function withProjectDir(command: Command): Command {
  return command.addOption(
    new Option('--project-dir <dir>', 'the project to use (schema.yml or dbt_project.yml)').default(process.cwd(), 'the current directory'),
  );
}

/** `--vars`: for commands that compile the project (a model may need a var to render). */
export function withVars(command: Command): Command {
  return command.option('--vars <yaml>', `variables for var(), as YAML or JSON: --vars '{"as_of": "2011-12-10"}'`);
}

/** `--select` and `--exclude`, as dbt users know them: for commands that act on some nodes. */
export function withSelection(command: Command): Command {
  return command
    .option('-s, --select <selector...>', 'nodes to include: name, +name, name+, tag:x, path:models/gold, source:s, … (union of words, intersection within a word by comma)')
    .option('--exclude <selector...>', 'nodes to leave out (same syntax as --select)');
}

/** `--threads` and `--full-refresh`: for commands that build. */
export function withBuildOptions(command: Command): Command {
  return command
    .option('--threads <n>', 'how many independent models run at once', '4')
    .option('--full-refresh', 'rebuild incremental models and snapshots from scratch')
    .option(
      '--ts-models <where>',
      "where TypeScript models (k-means, CLV fits) compute: thread (the build's own) or worker (a worker thread: the build stays responsive during a fit, for about 80 MiB more)",
      'thread',
    );
}

export interface RawOptions {
  select?: string[];
  exclude?: string[];
  vars?: string;
  threads?: string;
  fullRefresh?: boolean;
  tsModels?: string;
  projectDir?: string;
}

/** Commander's raw option values, checked and typed; options a command does not take get their defaults. */
export function commonOptions(raw: RawOptions): CommonOptions {
  const threads = Number(raw.threads ?? 4);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new UsageError(`--threads must be a whole number from 1 to 64, not '${raw.threads}'`);
  }
  return {
    projectDir: raw.projectDir ?? process.cwd(),
    select: splitWords(raw.select),
    exclude: splitWords(raw.exclude),
    vars: parseVars(raw.vars),
    threads,
    fullRefresh: raw.fullRefresh ?? false,
    tsModels: tsModelsOption(raw.tsModels),
  };
}

/** `--ts-models`: thread unless asked otherwise (a worker costs about 80 MiB; docs/benchmarks.md). */
export function tsModelsOption(value: string | undefined): 'thread' | 'worker' {
  if (value === undefined || value === 'thread' || value === 'worker') return value ?? 'thread';
  throw new UsageError(`--ts-models is thread or worker, not '${value}'`);
}

/** `--select "a b" c` and `--select a --select b` mean the same union. */
function splitWords(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
}

function parseVars(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new UsageError(`--vars is not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--vars must be a mapping such as '{"as_of": "2011-12-10"}', not ${JSON.stringify(text)}`);
  }
  return value as Record<string, unknown>;
}
