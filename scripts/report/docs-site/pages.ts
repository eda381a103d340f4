/**
 * The docs site's pages: an index with the lineage graph and every node, and one page per model,
 * seed and source with its description, columns, materialisation, compiled SQL, tests and their
 * last results. Pure: plain data in, HTML out.
 */
import type { CompiledNode, CompiledTest, Manifest, SourceTable } from '../../core/types.ts';
import { esc, STYLE } from '../html.ts';
import { lineageOf, lineageSvg, pageOf } from './lineage.ts';

/** A test's latest recorded result. */
export interface TestRun {
  readonly status: string;
  readonly failures: number;
  readonly buildId: number;
}

export interface DocsInput {
  readonly manifest: Manifest;
  /** compiled SQL (relations resolved to their public names) per node id */
  readonly compiledSql: ReadonlyMap<string, string>;
  /** latest result per test id */
  readonly testRuns: ReadonlyMap<string, TestRun>;
  readonly generatedAt: Date;
}

const DOCS_STYLE = `
.layout { display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 16px; }
aside { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; font-size: 13px; max-height: 85vh; overflow: auto; position: sticky; top: 10px; }
aside h3 { font-size: 12px; text-transform: uppercase; color: var(--muted); margin: 10px 0 4px; }
aside a { display: block; text-decoration: none; color: var(--accent); padding: 1px 0; }
.lineage-wrap { overflow: auto; }
svg.lineage a:hover rect { stroke-width: 2; }
.meta span { display: inline-block; margin-right: 14px; color: var(--muted); }
`;

function page(title: string, input: DocsInput, body: string): string {
  const nav = (['model', 'seed'] as const)
    .map((kind) => {
      const byLayer = input.manifest.nodes.filter((n) => n.resourceType === kind);
      return `<h3>${kind}s</h3>${byLayer.map((n) => `<a href="${pageOf(n.id)}">${esc(n.config.schema)}.${esc(n.name)}</a>`).join('')}`;
    })
    .join('');
  const sources = `<h3>sources</h3>${input.manifest.sources.map((s) => `<a href="${pageOf(sourceId(s))}">${esc(s.source)}.${esc(s.name)}</a>`).join('')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(input.manifest.projectName)} docs</title><link rel="icon" href="data:,"><style>${STYLE}${DOCS_STYLE}</style></head>
<body><header class="top"><h1><a href="index.html" style="color:#fff;text-decoration:none">${esc(input.manifest.projectName)} docs</a></h1>
<p>Made ${esc(input.generatedAt.toISOString())} from the project's property files, compiled SQL and the latest test results</p></header>
<main><div class="layout"><aside><a href="index.html">Overview and lineage</a>${nav}${sources}</aside><div>${body}</div></div></main></body></html>
`;
}

function sourceId(s: SourceTable): string {
  return `source.${s.source}.${s.name}`;
}

/** The index: the lineage graph and a table of every node. */
export function indexPage(input: DocsInput): string {
  const graph = lineageOf(input.manifest);
  const rows = input.manifest.nodes
    .map((n) => `<tr><td><a href="${pageOf(n.id)}">${esc(n.name)}</a></td><td>${n.resourceType}</td><td>${esc(n.config.schema)}</td><td>${esc(n.config.materialized)}</td><td>${esc(n.description ?? '')}</td></tr>`)
    .join('');
  const models = input.manifest.nodes.filter((n) => n.resourceType === 'model').length;
  return page(
    'Overview',
    input,
    `<section><h2>Lineage</h2><p class="reading">${models} models, ${input.manifest.nodes.length - models} seeds and ${input.manifest.sources.length} sources, left to right from where data lands to gold. Click a node to open its page.</p>
<div class="lineage-wrap">${lineageSvg(graph)}</div></section>
<section><h2>Models and seeds</h2><table><thead><tr><th>name</th><th>type</th><th>layer</th><th>materialised</th><th>description</th></tr></thead><tbody>${rows}</tbody></table></section>`,
  );
}

function testsTable(tests: readonly CompiledTest[], runs: ReadonlyMap<string, TestRun>): string {
  if (tests.length === 0) return '<p>No data tests.</p>';
  const rows = tests
    .map((t) => {
      const run = runs.get(t.id);
      const status = run ? run.status : 'not run yet';
      return `<tr><td>${esc(t.test)}</td><td>${esc(t.column ?? '')}</td><td>${esc(t.severity)}</td><td class="status-${esc(status)}" data-test-status="${esc(status)}">${esc(status)}</td><td>${run ? `${run.failures} (build ${run.buildId})` : ''}</td><td><code>${esc(t.id)}</code></td></tr>`;
    })
    .join('');
  return `<table data-table="tests"><thead><tr><th>test</th><th>column</th><th>severity</th><th>last result</th><th>failing rows</th><th>id</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function columnsTable(columns: CompiledNode['columns'], tests: readonly CompiledTest[]): string {
  if (columns.length === 0) return '<p>No columns described.</p>';
  const rows = columns
    .map((c) => {
      const own = tests.filter((t) => t.column === c.name).map((t) => t.test);
      return `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.dataType ?? '')}</td><td>${esc(c.description ?? '')}</td><td>${esc(own.join(', '))}</td></tr>`;
    })
    .join('');
  return `<table data-table="columns"><thead><tr><th>column</th><th>type</th><th>description</th><th>tests</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One model's or seed's page. */
export function nodePage(node: CompiledNode, input: DocsInput): string {
  const tests = input.manifest.tests.filter((t) => t.attachedTo === node.id);
  const upstream = [...node.sources, ...node.dependsOn];
  const downstream = input.manifest.nodes.filter((n) => n.dependsOn.includes(node.id)).map((n) => n.id);
  const link = (id: string): string => `<a href="${pageOf(id)}">${esc(id)}</a>`;
  const sql = input.compiledSql.get(node.id);
  return page(
    node.name,
    input,
    `<section data-node-page="${esc(node.id)}"><h2>${esc(node.config.schema)}.${esc(node.name)}</h2>
<p class="meta"><span>${node.resourceType} (${node.language})</span><span>materialised: <b>${esc(node.config.materialized)}</b></span><span>file: <code>${esc(node.path)}</code></span>${node.config.tags.length ? `<span>tags: ${esc(node.config.tags.join(', '))}</span>` : ''}</p>
<p>${esc(node.description ?? 'No description.')}</p>
<p>Reads: ${upstream.length ? upstream.map(link).join(', ') : 'nothing'}<br>Read by: ${downstream.length ? downstream.map(link).join(', ') : 'nothing'}</p></section>
<section><h2>Columns</h2>${columnsTable(node.columns, tests)}</section>
<section><h2>Data tests</h2>${testsTable(tests, input.testRuns)}</section>
${sql ? `<section><h2>Compiled SQL</h2><pre><code>${esc(sql)}</code></pre></section>` : node.language === 'ts' ? `<section><h2>TypeScript model</h2><p><code>${esc(node.path)}</code> writes this table; see its source.</p></section>` : ''}`,
  );
}

/** One source table's page. */
export function sourcePage(source: SourceTable, input: DocsInput): string {
  const id = sourceId(source);
  const tests = input.manifest.tests.filter((t) => t.sources.includes(id) && t.attachedTo === undefined);
  const readers = input.manifest.nodes.filter((n) => n.sources.includes(id));
  return page(
    `${source.source}.${source.name}`,
    input,
    `<section data-node-page="${esc(id)}"><h2>source ${esc(source.source)}.${esc(source.name)}</h2>
<p class="meta"><span>table: <code>${esc(source.schema)}.${esc(source.identifier)}</code></span></p>
<p>${esc(source.description ?? 'No description.')}</p>
<p>Read by: ${readers.length ? readers.map((n) => `<a href="${pageOf(n.id)}">${esc(n.id)}</a>`).join(', ') : 'nothing'}</p></section>
<section><h2>Columns</h2>${columnsTable(source.columns, [])}</section>
<section><h2>Data tests</h2>${testsTable(tests, input.testRuns)}</section>`,
  );
}
