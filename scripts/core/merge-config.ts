/**
 * The one rule for layering config (folder trees in dbt_project.yml or schema.yml, YAML
 * properties, `{{ config() }}` in the file): a later value wins, except `tags`, which accumulate
 * without repeats (as in dbt). load/folder-config.ts merges folder trees with it and
 * compile/config-merge.ts merges a node's layers with it.
 *
 * @example mergeConfigValue('tags', ['gold'], 'ml') // ['gold', 'ml']
 */
export function mergeConfigValue(key: string, earlier: unknown, later: unknown): unknown {
  if (key !== 'tags' || earlier === undefined || later === undefined) return later;
  return [...new Set([...asList(earlier), ...asList(later)])];
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
