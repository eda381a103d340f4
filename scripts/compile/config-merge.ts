import { mergeConfigValue } from '../core/merge-config.ts';
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
 * Merges config layers by the one config rule (core/merge-config.ts: later wins per key, tags
 * accumulate), keeping where each value came from. A leading `+` (dbt_project.yml style) is
 * dropped from keys.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): Map<string, ConfigEntry> {
  const merged = new Map<string, ConfigEntry>();
  for (const layer of layers) {
    for (const [rawKey, value] of Object.entries(layer.values)) {
      const key = rawKey.startsWith('+') ? rawKey.slice(1) : rawKey;
      merged.set(key, { value: mergeConfigValue(key, merged.get(key)?.value, value), location: layer.location });
    }
  }
  return merged;
}
