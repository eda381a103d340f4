import type { NodeProperties, SourceTable } from '../core/types.ts';
import { readNodeProperties } from './properties.ts';
import { readSources } from './sources.ts';
import { isRecord, type YamlReader } from './values.ts';

/** What one property file (schema.yml, models/**.yml) declares. */
export interface PropertyFileContent {
  readonly properties: readonly NodeProperties[];
  readonly sources: readonly SourceTable[];
}

const USED_KEYS = ['version', 'models', 'sources', 'seeds'];
/** dbt property-file sections that describe things strata does not have; accepted and ignored. */
const IGNORED_KEYS = [
  'macros', 'analyses', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'groups', 'unit_tests', 'snapshots',
];

/**
 * Reads the dbt property-file sections of a parsed YAML file. `extraKeys` are top-level keys the
 * caller handles itself (the root schema.yml's `project:`).
 */
export function readPropertyFile(r: YamlReader, extraKeys: readonly string[] = []): PropertyFileContent {
  const value = r.yaml.value;
  if (!isRecord(value)) {
    r.fail([], 'a property file must be a mapping (version: 2, models: [...], sources: [...])');
    return { properties: [], sources: [] };
  }
  r.checkKeys(value, [], [...USED_KEYS, ...IGNORED_KEYS, ...extraKeys], 'a property file');
  return {
    properties: [...readNodeProperties(r, value['models'], 'models'), ...readNodeProperties(r, value['seeds'], 'seeds')],
    sources: readSources(r, value['sources']),
  };
}
