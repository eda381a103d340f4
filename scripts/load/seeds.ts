import { CompileError } from '../core/errors.ts';
import type { NodeProperties, SeedFile } from '../core/types.ts';
import { folderConfigFor, seedDefaults } from './folder-config.ts';
import { listFiles, splitUnder } from './files.ts';
import type { ResolvedSettings } from './settings.ts';
import { isRecord } from './values.ts';

/**
 * Finds the `.csv` seeds under the seed paths. Column types come from `column_types` in the
 * folder config and the seed's YAML `config:` (YAML wins per column); other columns are left for
 * the seed loader to infer.
 */
export async function readSeeds(
  dir: string,
  resolved: ResolvedSettings,
  isDbtProject: boolean,
  properties: ReadonlyMap<string, NodeProperties>,
  errors: CompileError[],
): Promise<SeedFile[]> {
  const seeds: SeedFile[] = [];
  const seen = new Map<string, string>();
  for (const root of resolved.seedPaths) {
    for (const file of await listFiles(dir, root, ['.csv'])) {
      const { folders, stem: name } = splitUnder(root, file);
      const other = seen.get(name);
      if (other !== undefined) {
        errors.push(new CompileError(`seed.${name}`, { file, line: 1 }, `two seeds are named '${name}': ${other} and ${file}`));
        continue;
      }
      seen.set(name, file);
      const builtin = seedDefaults(isDbtProject, resolved.defaultSchema);
      const folderConfig = folderConfigFor(builtin, resolved.seedsTrees, [...folders, name]);
      const columnTypes = {
        ...stringEntries(folderConfig['column_types']),
        ...stringEntries(properties.get(name)?.config['column_types']),
      };
      seeds.push({ name, path: file, columnTypes, folderConfig });
    }
  }
  return seeds;
}

/** The string-valued entries of a mapping; compile reports anything else in column_types. */
function stringEntries(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
