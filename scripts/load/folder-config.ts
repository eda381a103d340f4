import { mergeConfigValue } from '../core/merge-config.ts';
import { isRecord, type YamlRecord } from './values.ts';

/** Config keys whose values are mappings; any other mapping in a config tree is a sub-folder. */
const MAPPING_CONFIG_KEYS = new Set(['meta', 'docs', 'persist_docs', 'column_types', 'grants']);

/** The layer of models outside bronze/silver/gold folders when the project does not name one. */
export const DEFAULT_SCHEMA = 'analytics';

/**
 * Splits one level of a dbt-style config tree into its config (keys with `+`, or keys whose
 * value is not a mapping) and its sub-folders. `+` is dropped from config keys.
 */
export function splitTree(tree: YamlRecord): { config: YamlRecord; children: Readonly<Record<string, YamlRecord>> } {
  const config: Record<string, unknown> = {};
  const children: Record<string, YamlRecord> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (key.startsWith('+')) config[key.slice(1)] = value;
    else if (value === null) children[key] = {};
    else if (isRecord(value) && !MAPPING_CONFIG_KEYS.has(key)) children[key] = value;
    else config[key] = value;
  }
  return { config, children };
}

/** `over` on top of `base` by the one config rule (later wins, tags accumulate). */
export function mergeConfig(base: YamlRecord, over: YamlRecord): YamlRecord {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeConfigValue(key, base[key], value);
  return merged;
}

/**
 * The config a file gets from its folders: `builtin` first, then every tree's root, then every
 * tree's config for the first folder, and so on (deepest last); `segments` are the folders under
 * the model (or seed) path followed by the file's name without extension, so a tree can also
 * configure a single file.
 */
export function folderConfigFor(builtin: YamlRecord, trees: readonly YamlRecord[], segments: readonly string[]): YamlRecord {
  let config = builtin;
  const levels = trees.map((tree) => configsAlong(tree, segments));
  for (let depth = 0; depth <= segments.length; depth += 1) {
    for (const treeLevels of levels) {
      const level = treeLevels[depth];
      if (level) config = mergeConfig(config, level);
    }
  }
  return config;
}

function configsAlong(tree: YamlRecord, segments: readonly string[]): YamlRecord[] {
  const configs: YamlRecord[] = [];
  let node: YamlRecord | undefined = tree;
  for (let depth = 0; node; depth += 1) {
    const { config, children } = splitTree(node);
    configs.push(config);
    const segment = segments[depth];
    node = segment === undefined ? undefined : children[segment];
  }
  return configs;
}

/**
 * strata's built-in layer defaults, applied before any configured folder config: a model's first
 * folder names its layer (bronze and silver are views, gold is tables); anything else goes to the
 * project's default schema as a view.
 */
export function modelDefaults(firstFolder: string | undefined, defaultSchema: string): YamlRecord {
  if (firstFolder === 'bronze' || firstFolder === 'silver') return { schema: firstFolder, materialized: 'view' };
  if (firstFolder === 'gold') return { schema: 'gold', materialized: 'table' };
  return { schema: defaultSchema, materialized: 'view' };
}

/** Seeds land in bronze in a strata project, and in the default schema in a dbt project. */
export function seedDefaults(isDbtProject: boolean, defaultSchema: string): YamlRecord {
  return { schema: isDbtProject ? defaultSchema : 'bronze' };
}
