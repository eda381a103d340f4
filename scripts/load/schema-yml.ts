import { VAR_TYPES, type VarType } from '../core/types.ts';
import type { ConfiguredSettings } from './settings.ts';
import { isRecord, type YamlReader, type YamlRecord } from './values.ts';

const PROJECT_KEYS = [
  'name', 'vars', 'var_types', 'bi_role', 'bi_layers', 'keep_builds', 'metadata_schema', 'default_schema',
  'model-paths', 'macro-paths', 'seed-paths', 'test-paths', 'models', 'seeds',
];

/**
 * Reads the `project:` block of the root schema.yml (strata's own settings; every key optional).
 *
 * @example
 * project:
 *   name: strata
 *   vars: {churn_days: 90}
 *   models: {gold: {+materialized: table}}
 */
export function readProjectBlock(r: YamlReader): ConfiguredSettings | undefined {
  const root = r.yaml.value;
  if (!isRecord(root) || root['project'] === undefined || root['project'] === null) return undefined;
  const block = r.record(root['project'], ['project'], "'project'");
  if (!block) return undefined;
  const at = (key: string) => ['project', key];
  r.checkKeys(block, ['project'], PROJECT_KEYS, "schema.yml's project block");
  const keepBuilds = block['keep_builds'];
  if (keepBuilds !== undefined && !(Number.isInteger(keepBuilds) && (keepBuilds as number) >= 1)) {
    r.fail(at('keep_builds'), 'keep_builds must be a whole number of at least 1');
  }
  const settings: Record<string, unknown> = {
    name: r.string(block['name'], at('name'), 'name'),
    vars: r.record(block['vars'], at('vars'), 'vars'),
    varTypes: readVarTypes(r, block['var_types']),
    biRole: r.string(block['bi_role'], at('bi_role'), 'bi_role'),
    biLayers: r.stringList(block['bi_layers'], at('bi_layers'), 'bi_layers'),
    keepBuilds: Number.isInteger(keepBuilds) && (keepBuilds as number) >= 1 ? keepBuilds : undefined,
    metadataSchema: r.string(block['metadata_schema'], at('metadata_schema'), 'metadata_schema'),
    defaultSchema: r.string(block['default_schema'], at('default_schema'), 'default_schema'),
    modelPaths: r.stringList(block['model-paths'], at('model-paths'), 'model-paths'),
    macroPaths: r.stringList(block['macro-paths'], at('macro-paths'), 'macro-paths'),
    seedPaths: r.stringList(block['seed-paths'], at('seed-paths'), 'seed-paths'),
    testPaths: r.stringList(block['test-paths'], at('test-paths'), 'test-paths'),
    modelsTrees: asTrees(r.record(block['models'], at('models'), "project 'models'")),
    seedsTrees: asTrees(r.record(block['seeds'], at('seeds'), "project 'seeds'")),
  };
  return withoutUndefined(settings) as ConfiguredSettings;
}

/** `var_types: {segment_k: integer}`: each value one of VAR_TYPES. */
function readVarTypes(r: YamlReader, value: unknown): Readonly<Record<string, VarType>> | undefined {
  const record = r.record(value, ['project', 'var_types'], 'var_types');
  if (!record) return undefined;
  const types: Record<string, VarType> = {};
  for (const [name, type] of Object.entries(record)) {
    if (typeof type === 'string' && (VAR_TYPES as readonly string[]).includes(type)) types[name] = type as VarType;
    else r.fail(['project', 'var_types', name], `var_types.${name} must be one of ${VAR_TYPES.join(', ')}`);
  }
  return types;
}

/** Drops undefined entries so `a ?? b` picks the other file's value. */
export function withoutUndefined(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function asTrees(tree: YamlRecord | undefined): YamlRecord[] | undefined {
  return tree === undefined ? undefined : [tree];
}
