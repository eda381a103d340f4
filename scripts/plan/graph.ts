import type { Manifest } from '../core/types.ts';

/** Parent and child edges between the manifest's nodes (models and seeds). */
export interface NodeGraph {
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

export function buildGraph(manifest: Manifest): NodeGraph {
  const ids = new Set(manifest.nodes.map((n) => n.id));
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>(manifest.nodes.map((n) => [n.id, []]));
  for (const node of manifest.nodes) {
    const ps = node.dependsOn.filter((d) => ids.has(d));
    parents.set(node.id, ps);
    for (const p of ps) children.get(p)?.push(node.id);
  }
  return { parents, children };
}

/**
 * Every node reachable from `start` along `edges` within `maxDepth` steps (Infinity: all),
 * not counting the start nodes themselves unless reached again.
 */
export function walk(
  edges: ReadonlyMap<string, readonly string[]>,
  start: Iterable<string>,
  maxDepth: number,
): Set<string> {
  const seen = new Set<string>();
  let frontier = [...start];
  for (let d = 0; d < maxDepth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of edges.get(id) ?? []) {
        if (!seen.has(e)) {
          seen.add(e);
          next.push(e);
        }
      }
    }
    frontier = next;
  }
  return seen;
}
