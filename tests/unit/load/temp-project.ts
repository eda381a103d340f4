import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CompileErrors, type CompileError } from '../../../scripts/core/errors.ts';
import { loadProject } from '../../../scripts/load/index.ts';

const made: string[] = [];

/** Writes `files` (path → text) into a new temporary project directory. */
export async function writeProject(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'strata-load-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** Removes every directory writeProject made (call from afterAll). */
export async function removeProjects(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The errors loading `files` throws, as `file:line detail` (fails when the project loads). */
export async function loadErrors(files: Readonly<Record<string, string>>): Promise<string[]> {
  const dir = await writeProject(files);
  try {
    await loadProject(dir);
  } catch (error) {
    if (error instanceof CompileErrors) return error.errors.map(format);
    throw error;
  }
  throw new Error('expected load to fail');
}

function format(error: CompileError): string {
  return `${error.location?.file}:${error.location?.line} ${error.detail}`;
}
