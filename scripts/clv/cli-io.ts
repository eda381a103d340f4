import { StrataError } from '../core/errors.ts';
import type { CliIo } from '../cli/command.ts';

export type { CliIo };

/**
 * Runs a CLV command body; a StrataError becomes its class name, message and exit code, not a
 * stack trace. The CLV commands print the class name (`UsageError: …`) because scripts reading
 * their JSON output tell a usage error from a failed fit by it.
 */
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
