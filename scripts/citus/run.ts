import { spawn } from 'node:child_process';
import { StrataError } from '../core/errors.ts';

export interface RunOptions {
  readonly cwd?: string;
  /** run as this OS user (root hands the server processes to `postgres`) */
  readonly as?: string;
  /** lines of output kept for the error message when the command fails */
  readonly keep?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program to completion and returns its output; a non-zero exit is a StrataError naming the
 * command and the last lines it printed. No shell: arguments are passed as they are.
 */
export async function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const [file, argv] = options.as ? ['runuser', ['-u', options.as, '--', program, ...args]] : [program, [...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new StrataError(`could not run ${program}: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) return resolvePromise(output);
      const tail = output.trim().split('\n').slice(-(options.keep ?? 15)).join('\n');
      reject(new StrataError(`${program} ${args.join(' ')} exited ${code}:\n${tail}`));
    });
  });
}
