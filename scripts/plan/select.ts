import type { Manifest } from '../core/types.ts';
import { buildGraph, walk, type NodeGraph } from './graph.ts';
import { matchMethod } from './methods.ts';
import { parseSelector, type SelectorAtom } from './selector.ts';

/** `--select` and `--exclude` values as given (each may hold several space-separated words). */
export interface Selection {
  readonly select: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * The node ids a selection picks, in manifest (topological) order. dbt syntax: words are a
 * union, commas inside a word an intersection; `+x`/`x+`/`2+x`/`x+1`/`@x`; methods `tag:`,
 * `path:`, `source:`, `resource_type:`, `config.<key>:`; `*` wildcards. No select means all.
 * Unknown names throw a UsageError that lists the closest ones.
 *
 * @example selectNodes(m, { select: ['+customers tag:gold,config.materialized:table'], exclude: ['stg_*'] })
 */
export function selectNodes(manifest: Manifest, selection: Selection): ReadonlySet<string> {
  const graph = buildGraph(manifest);
  const selectWords = words(selection.select);
  const chosen =
    selectWords.length === 0
      ? new Set(manifest.nodes.map((n) => n.id))
      : union(selectWords.map((w) => evalWord(manifest, graph, w)));
  const excluded = union(words(selection.exclude).map((w) => evalWord(manifest, graph, w)));
  return new Set(manifest.nodes.map((n) => n.id).filter((id) => chosen.has(id) && !excluded.has(id)));
}

function words(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/\s+/)).filter((w) => w !== '');
}

function evalWord(manifest: Manifest, graph: NodeGraph, word: string): Set<string> {
  const parts = word.split(',').filter((p) => p !== '').map((p) => evalAtom(manifest, graph, parseSelector(p)));
  const [first, ...rest] = parts;
  if (!first) return new Set();
  return new Set([...first].filter((id) => rest.every((r) => r.has(id))));
}

function evalAtom(manifest: Manifest, graph: NodeGraph, atom: SelectorAtom): Set<string> {
  const base = matchMethod(manifest, atom);
  if (atom.at) {
    const down = new Set([...base, ...walk(graph.children, base, Infinity)]);
    return new Set([...down, ...walk(graph.parents, down, Infinity)]);
  }
  return new Set([
    ...base,
    ...(atom.parents > 0 ? walk(graph.parents, base, atom.parents) : []),
    ...(atom.children > 0 ? walk(graph.children, base, atom.children) : []),
  ]);
}

function union(sets: readonly ReadonlySet<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}
