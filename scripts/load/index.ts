import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CompileError, CompileErrors, UsageError } from '../core/errors.ts';
import type { MacroFile, NodeProperties, Project, SingularTestFile, SourceTable } from '../core/types.ts';
import { readDbtProject } from './dbt-project.ts';
import { listFiles, normalize, splitUnder } from './files.ts';
import { readModels } from './models.ts';
import { readPropertyFile, type PropertyFileContent } from './property-file.ts';
import { readProjectBlock } from './schema-yml.ts';
import { readSeeds } from './seeds.ts';
import { resolveSettings, type ResolvedSettings } from './settings.ts';
import { YamlReader } from './values.ts';
import { parseYaml } from './yaml-file.ts';

/**
 * Reads a project directory into a Project: schema.yml and/or dbt_project.yml, the property files,
 * models (SQL and TS), macros, seeds and singular tests. Nothing is rendered or resolved here.
 *
 * Throws UsageError when the directory has neither schema.yml nor dbt_project.yml, and
 * CompileErrors holding every YAML or structural problem found (each with file and line).
 *
 * @example
 * const project = await loadProject('.');
 */
export async function loadProject(dir: string): Promise<Project> {
  const root = path.resolve(dir);
  const errors: CompileError[] = [];
  const { resolved, schemaReader, isDbtProject } = await readRoot(root, errors);

  const contents: PropertyFileContent[] = schemaReader ? [readPropertyFile(schemaReader, ['project'])] : [];
  for (const file of await propertyFiles(root, resolved)) {
    const fileReader = reader(file, await readFile(path.join(root, file), 'utf8'), errors);
    if (fileReader) contents.push(readPropertyFile(fileReader));
  }
  const properties = collectProperties(contents, errors);
  const sources = collectSources(contents, errors);
  const models = await readModels(root, resolved, errors);
  const seeds = await readSeeds(root, resolved, isDbtProject, properties, errors);
  const macros: MacroFile[] = [];
  for (const file of await filesUnder(root, resolved.macroPaths, ['.sql'])) {
    macros.push({ path: file, text: await readFile(path.join(root, file), 'utf8') });
  }
  const singularTests: SingularTestFile[] = [];
  for (const testRoot of resolved.testPaths) {
    for (const file of await listFiles(root, testRoot, ['.sql'])) {
      const { stem } = splitUnder(testRoot, file);
      singularTests.push({ name: stem, path: file, text: await readFile(path.join(root, file), 'utf8') });
    }
  }
  if (errors.length > 0) throw new CompileErrors(errors);
  return { settings: resolved.settings, sources, models, seeds, macros, properties, singularTests };
}

/**
 * The folders a project's files are read from (models, macros, seeds, singular tests), as its root
 * files configure them: what the compile cache hashes (compile/cache.ts). Undefined when the root
 * files do not read as settings; compiling then says why.
 */
export async function projectFolders(dir: string): Promise<readonly string[] | undefined> {
  const errors: CompileError[] = [];
  const { resolved } = await readRoot(path.resolve(dir), errors);
  if (errors.length > 0) return undefined;
  return [...new Set([...resolved.modelPaths, ...resolved.macroPaths, ...resolved.seedPaths, ...resolved.testPaths].map(normalize))].sort();
}

/** schema.yml and dbt_project.yml: the settings, and the reader of schema.yml for its property blocks. */
async function readRoot(root: string, errors: CompileError[]): Promise<{ resolved: ResolvedSettings; schemaReader: YamlReader | undefined; isDbtProject: boolean }> {
  const schemaText = await readOptional(root, 'schema.yml');
  const dbtText = await readOptional(root, 'dbt_project.yml');
  if (schemaText === undefined && dbtText === undefined) {
    throw new UsageError(`${root} is not a strata project: it has neither schema.yml nor dbt_project.yml`);
  }
  const schemaReader = reader('schema.yml', schemaText, errors);
  const dbtReader = reader('dbt_project.yml', dbtText, errors);
  const isDbtProject = dbtText !== undefined;
  const resolved = resolveSettings(
    root,
    path.basename(root),
    isDbtProject ? (dbtReader ? readDbtProject(dbtReader) : {}) : undefined,
    schemaReader ? readProjectBlock(schemaReader) : undefined,
  );
  return { resolved, schemaReader, isDbtProject };
}

async function readOptional(dir: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function reader(file: string, text: string | undefined, errors: CompileError[]): YamlReader | undefined {
  if (text === undefined) return undefined;
  const yaml = parseYaml(file, text, errors);
  return yaml ? new YamlReader(yaml, errors) : undefined;
}

async function filesUnder(dir: string, roots: readonly string[], suffixes: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const root of roots) for (const file of await listFiles(dir, root, suffixes)) files.add(file);
  return [...files].sort();
}

/**
 * YAML files under the model and seed paths (a seed's properties sit beside it, as dbt reads them),
 * except the root files read on their own.
 */
async function propertyFiles(dir: string, resolved: ResolvedSettings): Promise<string[]> {
  const files = await filesUnder(dir, [...resolved.modelPaths, ...resolved.seedPaths], ['.yml', '.yaml']);
  return files.filter((file) => !['schema.yml', 'dbt_project.yml'].includes(normalize(file)));
}

function collectProperties(contents: readonly PropertyFileContent[], errors: CompileError[]): Map<string, NodeProperties> {
  const properties = new Map<string, NodeProperties>();
  for (const entry of contents.flatMap((c) => c.properties)) {
    const earlier = properties.get(entry.name);
    if (earlier) {
      const at = `${earlier.location.file}:${earlier.location.line}`;
      errors.push(new CompileError(undefined, entry.location, `properties for '${entry.name}' are declared twice (also at ${at})`));
    } else {
      properties.set(entry.name, entry);
    }
  }
  return properties;
}

function collectSources(contents: readonly PropertyFileContent[], errors: CompileError[]): SourceTable[] {
  const seen = new Map<string, SourceTable>();
  for (const table of contents.flatMap((c) => c.sources)) {
    const id = `${table.source}.${table.name}`;
    const earlier = seen.get(id);
    if (earlier) {
      const at = `${earlier.location.file}:${earlier.location.line}`;
      errors.push(new CompileError(`source.${id}`, table.location, `source table '${id}' is declared twice (also at ${at})`));
    } else {
      seen.set(id, table);
    }
  }
  return [...seen.values()];
}
