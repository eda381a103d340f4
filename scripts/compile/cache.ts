import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Manifest, Project } from '../core/types.ts';
import { hashFile, hashFiles, runnerCode } from '../load/file-hashes.ts';
import { projectFolders } from '../load/index.ts';
import { stableStringify } from './stable-json.ts';

/** What loading and compiling a project gives. */
export interface CompiledProject {
  readonly project: Project;
  readonly manifest: Manifest;
}

/**
 * Load and compile, or the last result kept in `target/compile-cache.bin` when nothing it was
 * compiled from has changed since (as dbt keeps `partial_parse.msgpack`). Compiling the project
 * (reading the YAML, importing the TypeScript models to read what they declare, rendering every
 * model and test) took about 0.8 s of every `build-models` and `test-data` process on Online
 * Retail, most of a build with nothing new to do (docs/benchmarks.md, "session 14").
 *
 * The key is a hash of everything compiling reads: the bytes of every file under the project's
 * model, macro, seed and test folders and of its root files (schema.yml, dbt_project.yml), the
 * `--vars`, the project's folder, and the runner's own code and package versions
 * (load/file-hashes.ts). File contents, not modification times: a checkout or a copy that keeps
 * times cannot pass off an old compile. Compiling reads nothing else: no environment variable, no
 * clock (a TypeScript model's declaration, `dependsOn` and `config`, must not read them either).
 *
 * The key is taken before compiling and again after; the result is kept only when the two agree,
 * so a file saved while compiling never pairs a compile with contents it did not read. A missing,
 * unreadable or foreign cache file is a miss; failing to write one is not an error.
 */
export async function compileCached(
  root: string,
  targetDir: string,
  vars: Readonly<Record<string, unknown>>,
  compile: () => Promise<CompiledProject>,
): Promise<CompiledProject & { readonly key: string | undefined; readonly cached: boolean }> {
  const file = join(targetDir, CACHE_FILE);
  const key = await compileKey(root, vars);
  const kept = key === undefined ? undefined : await readEntry(file);
  if (kept !== undefined && kept.key === key) return { ...kept.value, key, cached: true };
  const value = await compile();
  if (key !== undefined && (await compileKey(root, vars)) === key) await writeEntry(file, { format: FORMAT, key, value }).catch(() => {});
  return { ...value, key, cached: false };
}

export const CACHE_FILE = 'compile-cache.bin';

/** Changed when what the cache file holds changes shape. */
const FORMAT = 1;

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly value: CompiledProject;
}

/** The hash of everything a compile of `root` with `vars` reads; undefined when its root files do not read as settings. */
async function compileKey(root: string, vars: Readonly<Record<string, unknown>>): Promise<string | undefined> {
  const folders = await projectFolders(root).catch(() => undefined);
  if (folders === undefined) return undefined;
  const parts = await Promise.all([
    runnerCode(),
    hashFile(join(root, 'schema.yml')),
    hashFile(join(root, 'dbt_project.yml')),
    ...folders.map((folder) => hashFiles(root, folder, [''])),
  ]);
  return createHash('sha1').update(stableStringify({ format: FORMAT, root, vars, folders, parts }, 0)).digest('hex');
}

async function readEntry(file: string): Promise<Entry | undefined> {
  try {
    const entry = deserialize(await readFile(file)) as Partial<Entry> | null;
    return entry?.format === FORMAT && typeof entry.key === 'string' && entry.value !== undefined ? (entry as Entry) : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a file of its own and renamed into place: a reader sees the old entry or the new one, never half of one. */
async function writeEntry(file: string, entry: Entry): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  try {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(partial, serialize(entry));
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}
