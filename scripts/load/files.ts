import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Folders never searched for project files. */
const SKIPPED_DIRS = new Set(['node_modules', 'target', 'dbt_packages', 'dbt_modules', 'logs']);

/**
 * Every file under `dir/root` (recursively) whose name ends with one of `suffixes`, as paths
 * relative to `dir` with forward slashes, sorted so a project always loads in the same order.
 * A missing root is an empty list: every folder of a project is optional.
 */
export async function listFiles(dir: string, root: string, suffixes: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const child = relative === '.' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) await walk(child);
      } else if (suffixes.some((suffix) => entry.name.endsWith(suffix)) && !entry.name.endsWith('.d.ts')) {
        found.push(child);
      }
    }
  };
  await walk(normalize(root));
  return found.sort();
}

/** `./models/` → `models`; `.` stays `.` */
export function normalize(relative: string): string {
  const cleaned = path.posix.normalize(relative.replaceAll('\\', '/')).replace(/\/+$/, '');
  return cleaned === '' ? '.' : cleaned;
}

/** `models/gold/customers.sql` under `models` → `{folders: ['gold'], stem: 'customers'}` */
export function splitUnder(root: string, file: string): { folders: string[]; stem: string } {
  const base = normalize(root);
  const inner = base === '.' ? file : file.slice(base.length + 1);
  const parts = inner.split('/');
  const fileName = parts.pop() ?? '';
  return { folders: parts, stem: fileName.replace(/\.[^.]+$/, '') };
}
