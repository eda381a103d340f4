import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CompileError } from '../core/errors.ts';
import type { ModelFile } from '../core/types.ts';
import { folderConfigFor, modelDefaults } from './folder-config.ts';
import { listFiles, splitUnder } from './files.ts';
import type { ResolvedSettings } from './settings.ts';
import { readTsModel } from './ts-models.ts';

/**
 * Reads every `.sql` and `.ts` model under the model paths, with its folder config. Two models
 * with one name (in any folders, in either language) are an error naming both files.
 */
export async function readModels(dir: string, resolved: ResolvedSettings, errors: CompileError[]): Promise<ModelFile[]> {
  const models: ModelFile[] = [];
  const seen = new Map<string, string>();
  for (const root of resolved.modelPaths) {
    for (const file of await listFiles(dir, root, ['.sql', '.ts'])) {
      const { folders, stem: name } = splitUnder(root, file);
      const other = seen.get(name);
      if (other !== undefined) {
        errors.push(new CompileError(`model.${name}`, { file, line: 1 }, `two models are named '${name}': ${other} and ${file}`));
        continue;
      }
      seen.set(name, file);
      const builtin = modelDefaults(folders[0], resolved.defaultSchema);
      const folderConfig = folderConfigFor(builtin, resolved.modelsTrees, [...folders, name]);
      const absolute = path.join(dir, file);
      const text = await readFile(absolute, 'utf8');
      if (file.endsWith('.sql')) {
        models.push({ name, path: file, language: 'sql', text, folderConfig });
        continue;
      }
      const ts = await readTsModel(absolute, file, name, errors);
      if (ts) models.push({ name, path: file, language: 'ts', text, folderConfig, ts });
    }
  }
  return models;
}
