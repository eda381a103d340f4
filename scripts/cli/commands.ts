/**
 * Every `strata` command, in the order `strata --help` lists them. Each is defined in a module
 * next to its code; to add one, write a `CommandFactory` there (see scripts/cli/command.ts and
 * docs/commands.md) and add it to this list, plus an npm script alias in package.json.
 *
 * The list names each command's module instead of importing it: a process imports only the
 * module of the command it runs (all of them for `strata --help`). Importing every command's
 * code (the runner, the dashboard's server, the report's renderer, the CLV and churn
 * validations) took seconds of each `load` and `build-models` start through tsx, and tens of
 * MiB of memory (docs/benchmarks.md, "Issue 7: refits kept, lazy commands").
 */
import type { CommandFactory } from './command.ts';

/** A command's name (as typed after `strata`) and how to load its factory. */
export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandFactory>;
}

export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { name: 'load', load: async () => (await import('../ingest/load-cli.ts')).loadCommand },
  { name: 'generate', load: async () => (await import('../ingest/generate-cli.ts')).generateCommand },
  { name: 'build', load: async () => (await import('./runner-commands.ts')).buildCommand },
  { name: 'seed', load: async () => (await import('./runner-commands.ts')).seedCommand },
  { name: 'test', load: async () => (await import('./runner-commands.ts')).testCommand },
  { name: 'compile', load: async () => (await import('./runner-commands.ts')).compileCommand },
  { name: 'ls', load: async () => (await import('./runner-commands.ts')).lsCommand },
  { name: 'rollback', load: async () => (await import('./runner-commands.ts')).rollbackCommand },
  { name: 'clean', load: async () => (await import('./runner-commands.ts')).cleanCommand },
  { name: 'db', load: async () => (await import('./runner-commands.ts')).dbCommand },
  { name: 'clv', load: async () => (await import('../clv/cli.ts')).clvCommand },
  { name: 'validate-clv', load: async () => (await import('../clv/validate-cli.ts')).validateClvCommand },
  { name: 'validate-churn', load: async () => (await import('../churn/validate-cli.ts')).validateChurnCommand },
  { name: 'bench', load: async () => (await import('../bench/index.ts')).benchCommand },
  { name: 'gold-docs', load: async () => (await import('../report/gold-docs.ts')).goldDocsCommand },
  { name: 'report', load: async () => (await import('../report/report-cli.ts')).reportCommand },
  { name: 'dashboard', load: async () => (await import('../dashboard/cli.ts')).dashboardCommand },
  { name: 'docs', load: async () => (await import('../report/docs-cli.ts')).docsCommand },
];

/**
 * The factories a command line needs: only the named command's when `argv` starts with a known
 * command, else every command's (for `strata --help`, an unknown command's error and its list).
 */
export async function commandsFor(argv: readonly string[]): Promise<CommandFactory[]> {
  const named = COMMAND_ENTRIES.find((entry) => entry.name === argv[0]);
  return Promise.all((named ? [named] : COMMAND_ENTRIES).map((entry) => entry.load()));
}
