import { CompileError } from '../core/errors.ts';
import type { ColumnSpec, ModelFile, NodeConfig, NodeProperties, SeedFile } from '../core/types.ts';
import { resolveConfig } from './config.ts';
import type { ConfigLayer } from './config-merge.ts';
import type { TemplateEnvironment } from './environment.ts';
import { lineAt, lineOfCall, lineOfQuoted } from './locate.ts';
import { renderFile, type RenderedFile } from './render-file.ts';

/** A node after rendering and config, before its refs are linked. */
export interface Draft {
  readonly id: string;
  readonly name: string;
  readonly resourceType: 'model' | 'seed';
  readonly language: 'sql' | 'ts' | 'csv';
  readonly path: string;
  readonly config: NodeConfig;
  /** names this node reads (ref() calls; a TS model's dependsOn) */
  readonly refs: readonly string[];
  readonly sources: readonly string[];
  /** SQL models whose render succeeded */
  readonly rendered?: RenderedFile;
  readonly description?: string;
  readonly columns: readonly ColumnSpec[];
  readonly module?: string;
  /** the line of the file that reads `name`, for errors about that link */
  readonly lineOf: (name: string) => number;
  readonly lineOfSource: (source: string, table: string) => number;
  /** false when the file could not be rendered (its errors are already reported) */
  readonly ok: boolean;
}

/** Renders a SQL model (or reads a TS model's declaration) and resolves its config. */
export function draftModel(
  environment: TemplateEnvironment,
  model: ModelFile,
  properties: NodeProperties | undefined,
  errors: CompileError[],
): Draft {
  const id = `model.${model.name}`;
  const yamlConfig = properties?.config ?? {};
  const folder: ConfigLayer = { values: model.folderConfig, location: { file: model.path, line: 1 } };
  const yaml: ConfigLayer[] = properties ? [{ values: yamlConfig, location: properties.location }] : [];
  const common = {
    id,
    name: model.name,
    resourceType: 'model' as const,
    path: model.path,
    columns: properties?.columns ?? [],
  };
  if (model.language === 'ts' && model.ts) {
    const ts = model.ts;
    // a TS model always writes a table: the folder's default materialization does not apply to it
    const { materialized: _ignored, ...folderValues } = model.folderConfig;
    const configAt = /\bconfig\s*:/.exec(model.text);
    const fileConfig = { values: ts.config, location: { file: model.path, line: configAt ? lineAt(model.text, configAt.index) : 1 } };
    const config = resolveConfig(id, 'ts', [{ ...folder, values: folderValues }, ...yaml, fileConfig], errors);
    checkTsRefs(id, model, ts.dependsOn, errors);
    const description = properties?.description ?? ts.description;
    return {
      ...common,
      language: 'ts',
      config,
      refs: ts.dependsOn,
      sources: [],
      ...(description === undefined ? {} : { description }),
      module: ts.module,
      lineOf: (name) => lineOfQuoted(model.text, name) ?? 1,
      lineOfSource: () => 1,
      ok: true,
    };
  }
  const layer = String(yamlConfig['schema'] ?? yamlConfig['+schema'] ?? model.folderConfig['schema'] ?? '');
  const rendered = renderFile(environment, id, model.path, model.text, layer, errors);
  const fileLayer: ConfigLayer = {
    values: rendered?.config ?? {},
    location: { file: model.path, line: lineOfCall(model.text, 'config') ?? 1 },
  };
  return {
    ...common,
    language: 'sql',
    config: resolveConfig(id, 'sql', [folder, ...yaml, fileLayer], errors),
    refs: rendered?.refs ?? [],
    sources: rendered?.sources ?? [],
    ...(rendered ? { rendered } : {}),
    ...(properties?.description === undefined ? {} : { description: properties.description }),
    lineOf: (name) => lineOfCall(model.text, 'ref', [name]) ?? 1,
    lineOfSource: (source, table) => lineOfCall(model.text, 'source', [source, table]) ?? 1,
    ok: rendered !== undefined,
  };
}

/** A seed: a CSV loaded as a table, configured by its folder and YAML. */
export function draftSeed(seed: SeedFile, properties: NodeProperties | undefined, errors: CompileError[]): Draft {
  const id = `seed.${seed.name}`;
  const layers: ConfigLayer[] = [
    { values: seed.folderConfig, location: { file: seed.path, line: 1 } },
    ...(properties ? [{ values: properties.config, location: properties.location }] : []),
  ];
  return {
    id,
    name: seed.name,
    resourceType: 'seed',
    language: 'csv',
    path: seed.path,
    config: resolveConfig(id, 'seed', layers, errors),
    refs: [],
    sources: [],
    ...(properties?.description === undefined ? {} : { description: properties.description }),
    columns: properties?.columns ?? [],
    lineOf: () => 1,
    lineOfSource: () => 1,
    ok: true,
  };
}

/** A TS model may read only what it declares: every `ref('x')` in its source must be in dependsOn. */
function checkTsRefs(id: string, model: ModelFile, dependsOn: readonly string[], errors: CompileError[]): void {
  const reported = new Set<string>();
  for (const match of model.text.matchAll(/\bref\(\s*(['"`])([^'"`]+)\1/g)) {
    const name = match[2]!;
    if (dependsOn.includes(name) || reported.has(name)) continue;
    reported.add(name);
    const line = model.text.slice(0, match.index).split('\n').length;
    errors.push(new CompileError(id, { file: model.path, line }, `TS model uses '${name}' but does not declare it in dependsOn`));
  }
}
