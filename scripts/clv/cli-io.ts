import { StrataError } from '../core/errors.ts';

/** Where a CLV command writes, so tests can run commands in-process. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs a command body; a StrataError becomes its message and exit code, not a stack trace. */
export async function exitCodeOf(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StrataError) {
      io.err(`${error.name}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
