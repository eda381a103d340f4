import type { CompiledNode, Manifest, PublishedState, Relation } from '../core/types.ts';

/** Where a token target can be read from in a build, or why it cannot. */
export type Lookup =
  | { readonly ok: true; readonly relation: Relation }
  | { readonly ok: false; readonly reason: string };

/**
 * Resolves a token target (`model.x`, `seed.x`, `source.s.t`; not `this`) for a build: a node
 * built by this build is read from its new target (the build reads its own writes); any other
 * node from its published relation; a source from its physical table.
 */
export function buildLookup(
  manifest: Manifest,
  targets: ReadonlyMap<string, Relation>,
  published: PublishedState,
): (target: string) => Lookup {
  const nodes = new Map(manifest.nodes.map((n) => [n.id, n]));
  const sources = sourceRelations(manifest);
  return (target) => {
    if (target.startsWith('source.')) {
      const relation = sources.get(target);
      return relation ? { ok: true, relation } : { ok: false, reason: 'is not a declared source' };
    }
    const built = targets.get(target);
    if (built) return { ok: true, relation: built };
    const node = nodes.get(target);
    if (!node) return { ok: false, reason: 'is not in the manifest' };
    if (node.config.materialized === 'ephemeral') {
      return { ok: false, reason: 'is ephemeral and has no relation of its own' };
    }
    const prev = published.relations[target];
    if (prev) return { ok: true, relation: prev };
    return { ok: false, reason: 'is not selected and has never been published' };
  };
}

/** source id → its physical relation (sources are never versioned). */
export function sourceRelations(manifest: Manifest): ReadonlyMap<string, Relation> {
  return new Map(
    manifest.sources.map((s) => [`source.${s.source}.${s.name}`, { schema: s.schema, name: s.identifier }]),
  );
}

/** The public view users query: `<layer>.<alias or name>`. */
export function publicRelationOf(node: CompiledNode): Relation {
  return { schema: node.config.schema, name: node.config.alias ?? node.name };
}
