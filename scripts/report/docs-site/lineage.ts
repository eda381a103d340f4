/**
 * The lineage graph: sources → bronze → silver → gold (and seeds), laid out left to right by
 * dagre; SVG whose nodes link to their pages. Pure: manifest in, SVG text out.
 */
import dagre from '@dagrejs/dagre';
import type { Manifest } from '../../core/types.ts';
import { esc } from '../html.ts';

export interface LineageNode {
  readonly id: string;
  readonly label: string;
  /** source, seed or model */
  readonly kind: 'source' | 'seed' | 'model';
  /** bronze, silver, gold, or the source's schema */
  readonly layer: string;
  readonly href: string;
}

/** The graph's nodes and edges from the manifest (tests left out). */
export function lineageOf(manifest: Manifest): { nodes: LineageNode[]; edges: [string, string][] } {
  const nodes: LineageNode[] = [];
  for (const s of manifest.sources) {
    const id = `source.${s.source}.${s.name}`;
    nodes.push({ id, label: `${s.source}.${s.name}`, kind: 'source', layer: s.schema, href: pageOf(id) });
  }
  for (const n of manifest.nodes) {
    nodes.push({ id: n.id, label: n.name, kind: n.resourceType, layer: n.config.schema, href: pageOf(n.id) });
  }
  const known = new Set(nodes.map((n) => n.id));
  const edges: [string, string][] = [];
  for (const n of manifest.nodes) {
    for (const from of [...n.sources, ...n.dependsOn]) if (known.has(from)) edges.push([from, n.id]);
  }
  return { nodes, edges };
}

/** The page of a node, relative to the site's root. */
export function pageOf(id: string): string {
  return `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`;
}

const LAYER_COLOURS: Readonly<Record<string, string>> = { bronze: '#d9a066', silver: '#a0aec0', gold: '#ecc94b' };
const NODE_HEIGHT = 26;

/** Lays the graph out with dagre and draws it; each node is a link with data-node and data-kind. */
export function lineageSvg(graph: { nodes: readonly LineageNode[]; edges: readonly [string, string][] }, prefix = ''): string {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 8, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: Math.max(90, n.label.length * 7 + 16), height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) g.setEdge(from, to);
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const edges = graph.edges.map(([from, to]) => {
    const points: readonly { x: number; y: number }[] = g.edge(from, to)?.points ?? [];
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return `<path class="edge" data-from="${esc(from)}" data-to="${esc(to)}" d="${d}" fill="none" stroke="#9aa5b1" marker-end="url(#arrow)"/>`;
  });
  const nodes = graph.nodes.map((n) => {
    const box = g.node(n.id);
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    const fill = n.kind === 'source' ? '#e2e8f0' : n.kind === 'seed' ? '#c6f6d5' : (LAYER_COLOURS[n.layer] ?? '#bee3f8');
    return `<a href="${esc(prefix + n.href)}"><g class="node" data-node="${esc(n.id)}" data-kind="${n.kind}">
<title>${esc(`${n.kind} ${n.id} (${n.layer})`)}</title>
<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${box.width}" height="${box.height}" rx="5" fill="${fill}" stroke="#52606d"/>
<text x="${box.x.toFixed(1)}" y="${(box.y + 4).toFixed(1)}" text-anchor="middle" font-size="12" font-family="system-ui, sans-serif">${esc(n.label)}</text></g></a>`;
  });
  return `<svg class="lineage" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#9aa5b1"/></marker></defs>
${edges.join('\n')}
${nodes.join('\n')}
</svg>`;
}
