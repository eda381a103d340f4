import { UsageError } from '../core/errors.ts';
import type { CompiledNode, Manifest, Materialization } from '../core/types.ts';
import { hasWildcard, matchesPattern } from './glob.ts';
import type { SelectorAtom } from './selector.ts';
import { didYouMeanList as didYouMean } from '../core/suggest.ts';

const MATERIALIZATIONS: readonly Materialization[] = [
  'view', 'table', 'materialized_view', 'incremental', 'snapshot', 'ephemeral', 'seed',
];
const RESOURCE_TYPES = ['model', 'seed', 'snapshot'] as const;

/**
 * The nodes an atom's method and value pick, before graph operators (`+`, `@`).
 * A name, tag, path or source that matches nothing is a UsageError with the closest
 * candidates: a typo must not silently build nothing.
 */
export function matchMethod(manifest: Manifest, atom: SelectorAtom): Set<string> {
  const { method, value } = atom;
  const pick = (test: (n: CompiledNode) => boolean): Set<string> =>
    new Set(manifest.nodes.filter(test).map((n) => n.id));

  switch (method) {
    case 'name': {
      const found = pick((n) => matchesPattern(value, n.name) || matchesPattern(value, n.id));
      if (found.size === 0) {
        const what = hasWildcard(value) ? 'matches' : 'is named';
        unknown(atom, `no model or seed ${what} "${value}"`, manifest.nodes.map((n) => n.name));
      }
      return found;
    }
    case 'tag': {
      const found = pick((n) => n.config.tags.some((t) => matchesPattern(value, t)));
      if (found.size === 0) unknown(atom, `no node has tag "${value}"`, manifest.nodes.flatMap((n) => n.config.tags));
      return found;
    }
    case 'path': {
      const prefix = value.replace(/^\.\//, '').replace(/\/+$/, '');
      const found = pick((n) => n.path === prefix || n.path.startsWith(`${prefix}/`) || matchesPattern(prefix, n.path));
      if (found.size === 0) unknown(atom, `no node's path is or is under "${prefix}"`, manifest.nodes.map((n) => n.path));
      return found;
    }
    case 'source':
      return matchSource(manifest, atom);
    case 'resource_type': {
      if (!(RESOURCE_TYPES as readonly string[]).includes(value)) {
        throw new UsageError(`selector "${atom.raw}": resource_type must be one of ${RESOURCE_TYPES.join(', ')}`);
      }
      // snapshots are models materialized as snapshot
      if (value === 'snapshot') return pick((n) => n.config.materialized === 'snapshot');
      return pick((n) => n.resourceType === value && n.config.materialized !== 'snapshot');
    }
    default:
      return matchConfig(manifest, atom);
  }
}

function matchSource(manifest: Manifest, atom: SelectorAtom): Set<string> {
  const ids = manifest.sources.map((s) => ({ id: `source.${s.source}.${s.name}`, source: s.source, full: `${s.source}.${s.name}` }));
  const wanted = new Set(
    ids.filter((s) => matchesPattern(atom.value, s.source) || matchesPattern(atom.value, s.full)).map((s) => s.id),
  );
  if (wanted.size === 0) {
    unknown(atom, `no source "${atom.value}"`, ids.flatMap((s) => [s.source, s.full]));
  }
  return new Set(manifest.nodes.filter((n) => n.sources.some((s) => wanted.has(s))).map((n) => n.id));
}

function matchConfig(manifest: Manifest, atom: SelectorAtom): Set<string> {
  // users write dbt's snake_case keys; NodeConfig is camelCase
  const key = atom.method.slice('config.'.length).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (key === 'materialized' && !(MATERIALIZATIONS as readonly string[]).includes(atom.value)) {
    throw new UsageError(`selector "${atom.raw}": materialized must be one of ${MATERIALIZATIONS.join(', ')}`);
  }
  return new Set(
    manifest.nodes
      .filter((n) => {
        const v: unknown = (n.config as unknown as Readonly<Record<string, unknown>>)[key];
        if (Array.isArray(v)) return v.some((x) => matchesPattern(atom.value, String(x)));
        return v !== undefined && v !== null && matchesPattern(atom.value, String(v));
      })
      .map((n) => n.id),
  );
}

function unknown(atom: SelectorAtom, message: string, candidates: readonly string[]): never {
  const word = atom.value.replaceAll('*', '').replaceAll('?', '');
  throw new UsageError(`selector "${atom.raw}": ${message}${didYouMean(word, candidates)}`);
}
