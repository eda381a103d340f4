/**
 * How every strata command is defined and run. Each command is a `CommandFactory` in a module
 * next to its code (scripts/ingest/load-command.ts, scripts/clv/cli.ts, …), registered once in
 * scripts/cli/commands.ts; the `strata` program (scripts/cli/index.ts) and the npm script
 * aliases run them through `runCommandLine`, so every command behaves the same: `--help` lists
 * only its own options, a usage error (unknown option, missing or malformed value, a UsageError)
 * exits 2, a StrataError prints its message without a stack and exits with its code.
 */
import { Command, CommanderError } from 'commander';
import { StrataError } from '../core/errors.ts';

/** Where a command writes, so tests can run commands in-process. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** What a command factory gets from the command line that runs it. */
export interface CommandContext {
  readonly io: CliIo;
  /** one line to stderr: progress and messages; stdout is left for results */
  readonly log: (line: string) => void;
  /**
   * Wraps a command's body for commander's `.action()`: the number it returns is the exit code;
   * a StrataError prints its message (no stack) and exits with its code.
   */
  action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
}

/** A command's definition: builds its commander Command (options, help, action). */
export type CommandFactory = (context: CommandContext) => Command;

/** The process's own stdout and stderr. */
export const STDIO: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Runs one command line (`argv` without node and script) on the commands `build` defines and
 * returns the exit code: 0 done (and after --help), 2 usage error, else the command's own code.
 *
 * @example await runCommandLine((c) => [loadCommand(c)], ['load', 'file.csv'], STDIO)
 */
export async function runCommandLine(
  build: (context: CommandContext) => Command | readonly Command[],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  let code = 0;
  const context: CommandContext = {
    io,
    log: (line) => io.err(`${line}\n`),
    action: (body) => async (...args) => {
      code = await exitCodeOf(io, () => body(...args));
    },
  };
  const built = build(context);
  const program = Array.isArray(built) ? programOf(built as readonly Command[]) : (built as Command);
  configure(program, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // commander has printed the message (and the help); --help and --version end with 0
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}

/** The `strata` program holding the given sub-commands. */
function programOf(commands: readonly Command[]): Command {
  const program = new Command('strata').description(
    'Customer segmentation inside PostgreSQL: load data, build the medallion layers (bronze, silver, gold) from SQL and TypeScript models, fit and validate models.',
  );
  for (const command of commands) program.addCommand(command);
  return program;
}

/** The same behaviour on every command and sub-command: output to `io`, usage errors thrown, help after an error. */
function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showHelpAfterError('(add --help for the options)')
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(text) });
  for (const sub of command.commands) configure(sub, io);
}

/**
 * Runs a command body: a StrataError prints its message (no stack trace) and gives its exit code;
 * anything else is unexpected and prints its message (its stack, and its cause's, with STRATA_DEBUG=1).
 */
export async function exitCodeOf(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StrataError) {
      io.err(`${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (process.env.STRATA_DEBUG ? debugText(error) : error.message) : String(error);
    io.err(`unexpected error: ${detail}\n`);
    return 1;
  }
}

function debugText(error: Error): string {
  const cause = error.cause instanceof Error ? `\ncaused by: ${debugText(error.cause)}` : '';
  return `${error.stack ?? error.message}${cause}`;
}
