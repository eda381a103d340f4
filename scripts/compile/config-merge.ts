import type { SourceLocation } from '../core/types.ts';

/** One source of config values and where it was written (for errors). */
export interface ConfigLayer {
  readonly values: Readonly<Record<string, unknown>>;
  readonly location: SourceLocation;
}

/** A merged config value and the place of the layer it came from. */
export interface ConfigEntry {
  readonly value: unknown;
  readonly location: SourceLocation;
}

/**
 * Merges config layers, later winning per key, except `tags`, which accumulate across layers
 * (as in dbt). A leading `+` (dbt_project.yml style) is dropped from keys.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): Map<string, ConfigEntry> {
  const merged = new Map<string, ConfigEntry>();
  for (const layer of layers) {
    for (const [rawKey, value] of Object.entries(layer.values)) {
      const key = rawKey.startsWith('+') ? rawKey.slice(1) : rawKey;
      const earlier = merged.get(key);
      if (key === 'tags' && earlier !== undefined) {
        merged.set(key, { value: [...new Set([...asList(earlier.value), ...asList(value)])], location: layer.location });
      } else {
        merged.set(key, { value, location: layer.location });
      }
    }
  }
  return merged;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
