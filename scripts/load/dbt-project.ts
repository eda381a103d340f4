import { didYouMean } from '../core/suggest.ts';
import { splitTree } from './folder-config.ts';
import { withoutUndefined } from './schema-yml.ts';
import type { ConfiguredSettings } from './settings.ts';
import { isRecord, type YamlReader, type YamlRecord } from './values.ts';

const USED_KEYS = [
  'name', 'vars', 'model-paths', 'macro-paths', 'seed-paths', 'test-paths', 'models', 'seeds',
  // the names dbt < 1.0 used for model-paths and seed-paths
  'source-paths', 'data-paths',
];
/** dbt keys that change nothing in strata. */
const IGNORED_KEYS = [
  'profile', 'target-path', 'clean-targets', 'require-dbt-version', 'config-version', 'version',
  'analysis-paths', 'snapshot-paths', 'docs-paths', 'asset-paths', 'packages-install-path', 'log-path',
];

/**
 * Reads dbt_project.yml: name, vars, paths and the `models:` / `seeds:` folder config trees.
 * The trees are nested under the project name in dbt; config at the very top applies to every
 * folder. Other top-level names (package configs) are errors, since strata has no packages.
 * dbt keys with behaviour strata does not have (on-run-start, dispatch, …) are errors.
 */
export function readDbtProject(r: YamlReader): ConfiguredSettings | undefined {
  const root = r.yaml.value;
  if (!isRecord(root)) {
    r.fail([], 'dbt_project.yml must be a mapping');
    return undefined;
  }
  for (const key of Object.keys(root)) {
    if (!USED_KEYS.includes(key) && !IGNORED_KEYS.includes(key)) {
      r.fail([key], `dbt_project.yml key '${key}' is not supported by strata${didYouMean(key, [...USED_KEYS, ...IGNORED_KEYS])}`);
    }
  }
  const name = r.string(root['name'], ['name'], 'name');
  const paths = (key: string, legacy?: string) =>
    r.stringList(root[key], [key], key) ?? (legacy ? r.stringList(root[legacy], [legacy], legacy) : undefined);
  return withoutUndefined({
    name,
    vars: r.record(root['vars'], ['vars'], 'vars'),
    modelPaths: paths('model-paths', 'source-paths'),
    macroPaths: paths('macro-paths'),
    seedPaths: paths('seed-paths', 'data-paths'),
    testPaths: paths('test-paths'),
    modelsTrees: projectTrees(r, root['models'], 'models', name),
    seedsTrees: projectTrees(r, root['seeds'], 'seeds', name),
  }) as ConfiguredSettings;
}

/** `{+materialized: view, jaffle_shop: {staging: {...}}}` → [{+materialized: view}, {staging: {...}}] */
function projectTrees(r: YamlReader, value: unknown, key: string, name: string | undefined): YamlRecord[] | undefined {
  const tree = r.record(value, [key], `'${key}'`);
  if (!tree) return undefined;
  const { config, children } = splitTree(tree);
  const trees: YamlRecord[] = [Object.fromEntries(Object.entries(config).map(([k, v]) => [`+${k}`, v]))];
  for (const [child, subtree] of Object.entries(children)) {
    if (child === name) trees.push(subtree);
    else r.fail([key, child], `'${key}: ${child}:' does not name this project ('${name ?? '(no name)'}'); folder configs go under '${key}: ${name ?? '<name>'}:'`);
  }
  return trees;
}
