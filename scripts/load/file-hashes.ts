import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles } from './files.ts';

/** The folder of the runner's own code (scripts/), and the repository holding it. */
const RUNNER_DIR = join(import.meta.dirname, '..');
const RUNNER_ROOT = join(RUNNER_DIR, '..');

/**
 * A hash of the files under `dir/root` whose names end with one of `suffixes` (every file for
 * `['']`): their paths and their bytes, so that a file added, removed, renamed or edited changes
 * it, whatever its modification time says.
 */
export async function hashFiles(dir: string, root: string, suffixes: readonly string[]): Promise<string> {
  const files = await listFiles(dir, root, suffixes);
  const hashes = await Promise.all(files.map(async (f) => [f, digest(await readFile(join(dir, f)))]));
  return digest(JSON.stringify(hashes));
}

/** A hash of one file's bytes; `absent` when there is no such file. */
export async function hashFile(file: string): Promise<string> {
  try {
    return digest(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

let runnerHash: Promise<string> | undefined;

/**
 * A hash of the runner's own code (every file under scripts/) and of the packages it runs with
 * (package-lock.json): a new version of strata may compile or compute a node differently. Read
 * once per process.
 */
export function runnerCode(): Promise<string> {
  runnerHash ??= Promise.all([hashFiles(RUNNER_DIR, '.', ['.ts', '.mjs']), hashFile(join(RUNNER_ROOT, 'package-lock.json'))])
    .then((parts) => digest(parts.join(' ')));
  return runnerHash;
}

function digest(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
