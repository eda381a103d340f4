#!/usr/bin/env tsx
/**
 * `strata <command>`: the one command line. The npm scripts in package.json are aliases
 * (`npm run build-models` is `strata build`). Commands are listed in commands.ts.
 */
import { commandsFor } from './commands.ts';
import { runCommandLine, STDIO } from './command.ts';

const argv = process.argv.slice(2);
const commands = await commandsFor(argv);
const code = await runCommandLine((cli) => commands.map((command) => command(cli)), argv, STDIO);
// the exit code is the command's; a pool or timer a command left open must not keep the process
// alive. Output written to a pipe is flushed first: exit drops what is still queued.
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
