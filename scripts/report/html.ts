/** Small HTML helpers shared by the report, the dashboard page and the docs site. */

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A whole number with thousands separators. */
export function int(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : Math.round(value).toLocaleString('en-GB');
}

/** A money amount, no decimals from 1,000 up. */
export function money(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value.toLocaleString('en-GB', { maximumFractionDigits: Math.abs(value) >= 1000 ? 0 : 2, minimumFractionDigits: 0 });
}

/** A share 0..1 as a percentage with one decimal. */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
}

/** A table from column headers and rows of already formatted cells (escaped here). */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], attrs = ''): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table ${attrs}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A chart as a figure the browser tests find by id, with how many data marks it should hold. */
export function figure(id: string, svg: string, expectedMarks: number, caption?: string): string {
  return `<figure class="chart" data-chart="${esc(id)}" data-expected-marks="${expectedMarks}">${svg}${
    caption ? `<figcaption>${esc(caption)}</figcaption>` : ''
  }</figure>`;
}

/** The stylesheet every page shares: inline, no network. */
export const STYLE = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #2f6fb3; --bad: #c53030; --good: #2f855a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #f7f8fa; }
header.top { background: #1f2933; color: #fff; padding: 14px 28px; }
header.top h1 { margin: 0; font-size: 20px; }
header.top p { margin: 2px 0 0; color: #cbd2d9; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 28px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
section h2 { margin: 0 0 4px; font-size: 17px; }
p.reading { margin: 0 0 12px; color: var(--muted); }
.grid { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure.chart { margin: 0; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 12px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 22px; font-weight: 600; }
.tile .delta { font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f2f5; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
.status-pass { color: var(--good); } .status-fail, .status-error { color: var(--bad); } .status-warn { color: #b7791f; }
nav.toc a { margin-right: 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: #f0f2f5; padding: 10px; overflow-x: auto; border-radius: 6px; }
`;
