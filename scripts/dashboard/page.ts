/**
 * The dashboard page: static HTML and one inline script, no front-end build. The script asks the
 * API for the panels of the chosen filters and puts the server-rendered SVG and the rows in place.
 */
import { STYLE } from '../report/html.ts';

const DASHBOARD_STYLE = `
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; margin: 12px 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
select, input { font: inherit; padding: 4px 6px; border: 1px solid #cbd2d9; border-radius: 4px; min-width: 160px; }
.panel-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.scroll { max-height: 420px; overflow: auto; }
tr[data-customer] { cursor: pointer; } tr[data-customer]:hover { background: #eef4fb; }
#detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: 13px; }
#detail dt { color: var(--muted); }
a.csv { font-size: 12px; margin-left: 8px; }
#status { color: var(--muted); font-size: 12px; }
`;

const SCRIPT = String.raw`
const token = new URLSearchParams(location.search).get('token');
const $ = (sel) => document.querySelector(sel);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const int = (v) => v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-GB');
const money = (v) => v === null || v === undefined ? '–' : v.toLocaleString('en-GB', { maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : 2 });
const pct = (v) => v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%';
const FILTERS = ['segment', 'rfmSegment', 'country', 'cardTier', 'province'];

function query(extra = {}) {
  const p = new URLSearchParams();
  for (const f of FILTERS) { const v = $('#f-' + f).value; if (v) p.set(f, v); }
  for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
  if (token) p.set('token', token);
  return p.toString();
}
async function api(path, extra) {
  const res = await fetch(path + '?' + query(extra));
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || res.statusText);
  return res.json();
}

const TILES = [
  ['customers', 'Customers', int], ['activeCustomers', 'Active customers', int], ['churnRate', 'Churn rate', pct],
  ['revenue', 'Revenue', money, true], ['averageOrderValue', 'Average order value', money, true], ['valueAtRisk', 'Value at risk, 12 months', money, true],
];
// a valued tile names the unit of the values (kpis.valueUnit: one unit, 'mixed', or null)
const unitLabel = (label, unit) => unit === null || unit === undefined ? label : label + ' (' + (unit === 'mixed' ? 'mixed units' : unit) + ')';

function table(name, headers, rows, rowAttr) {
  return '<table data-table="' + name + '"><thead><tr>' + headers.map((h) => '<th>' + esc(h) + '</th>').join('') + '</tr></thead><tbody>' +
    rows.map((r) => '<tr ' + (rowAttr ? rowAttr(r) : '') + '>' + r.cells.map((c) => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('') + '</tbody></table>';
}

async function refresh() {
  $('#status').textContent = 'loading…';
  document.body.dataset.ready = 'false';
  const view = await api('/api/view');
  $('#tiles').innerHTML = TILES.map(([key, label, f, valued]) =>
    '<div class="tile" data-kpi="' + key + '" data-value="' + (view.kpis[key] ?? '') + '"><div class="label">' + esc(valued ? unitLabel(label, view.kpis.valueUnit) : label) + '</div><div class="value">' + f(view.kpis[key]) + '</div></div>').join('');
  $('#charts').innerHTML = Object.entries(view.charts).map(([id, c]) =>
    '<section><h2>' + esc(c.title) + '</h2><figure class="chart" data-chart="' + id + '" data-expected-marks="' + c.marks + '">' + c.svg + '</figure></section>').join('');
  $('#risk').innerHTML = table('top-risk', ['rank', 'customer', 'value at risk', 'churn', 'CLV', 'RFM segment', 'segment', 'country'],
    view.topRisk.map((r) => ({ id: r.customerId, cells: [r.rank, r.customerId, money(r.valueAtRisk), pct(r.churnProbability), money(r.clv), r.rfmSegment, r.segment, r.country] })),
    (r) => 'data-customer="' + esc(r.id) + '"');
  await searchCustomers();
  document.querySelectorAll('a.csv').forEach((a) => { a.href = '/api/csv/' + a.dataset.csv + '?' + query({ q: a.dataset.csv === 'customers' ? $('#search').value : '' }); });
  $('#status').textContent = 'published gold, read ' + new Date().toLocaleTimeString();
  document.body.dataset.ready = 'true';
}

async function searchCustomers() {
  const result = await api('/api/customers', { q: $('#search').value });
  $('#customer-count').textContent = int(result.total) + ' customers' + (result.total > result.rows.length ? ', first ' + result.rows.length + ' shown' : '');
  $('#customer-count').dataset.total = result.total;
  $('#customers').innerHTML = table('customers', ['customer', 'country', 'segment', 'RFM segment', 'recency (days)', 'orders', 'spend', 'CLV', 'churn'],
    result.rows.map((r) => ({ id: r.customerId, cells: [r.customerId, r.country, r.segment, r.rfmSegment, r.recencyDays, r.frequency, money(r.monetary), money(r.clv), pct(r.churnProbability)] })),
    (r) => 'data-customer="' + esc(r.id) + '"');
}

async function showCustomer(id) {
  const p = new URLSearchParams(); if (token) p.set('token', token);
  const res = await fetch('/api/customers/' + encodeURIComponent(id) + '?' + p);
  const detail = await res.json();
  if (!res.ok) { $('#detail').textContent = detail.error; return; }
  const fields = Object.entries(detail.fields).map(([k, v]) => '<dt>' + esc(k) + '</dt><dd>' + esc(typeof v === 'number' ? v.toLocaleString('en-GB') : v) + '</dd>').join('');
  const history = table('history', ['RFM segment', 'segment', 'from', 'to'], detail.history.map((h) => ({ cells: [h.rfm_segment, h.segment_name, h.dbt_valid_from, h.dbt_valid_to ?? 'now'] })));
  $('#detail').innerHTML = '<h3 data-detail="' + esc(id) + '">Customer ' + esc(id) + '</h3><dl>' + fields + '</dl><h3>Segment history</h3>' + history;
}

document.addEventListener('click', (e) => {
  const row = e.target.closest('tr[data-customer]');
  if (row) showCustomer(row.dataset.customer).catch(fail);
});
function fail(error) { $('#status').textContent = 'error: ' + error.message; document.body.dataset.ready = 'error'; }

(async () => {
  const options = await api('/api/options');
  for (const f of FILTERS) {
    $('#f-' + f).innerHTML = '<option value="">all</option>' + options[f].map((v) => '<option>' + esc(v) + '</option>').join('');
    // domain filters (card tier, province) only where the domain's gold is published
    $('#f-' + f).parentElement.hidden = options[f].length === 0 && (f === 'cardTier' || f === 'province');
  }
  for (const f of FILTERS) $('#f-' + f).addEventListener('change', () => refresh().catch(fail));
  let timer;
  $('#search').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => {
    document.body.dataset.ready = 'false';
    searchCustomers().then(() => { document.body.dataset.ready = 'true'; }).catch(fail);
  }, 250); });
  await refresh();
})().catch(fail);
`;

/** The page; all data comes from the API. */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>strata dashboard</title><link rel="icon" href="data:,"><style>${STYLE}${DASHBOARD_STYLE}</style></head>
<body data-ready="false"><header class="top"><h1>strata dashboard</h1><p>Live from the published build, through the read-only BI role. <span id="status"></span></p></header>
<main>
<div class="filters">
  <label>Segment<select id="f-segment"></select></label>
  <label>RFM segment<select id="f-rfmSegment"></select></label>
  <label>Country<select id="f-country"></select></label>
  <label hidden>Card tier<select id="f-cardTier"></select></label>
  <label hidden>Province<select id="f-province"></select></label>
</div>
<div id="tiles" class="tiles"></div>
<div id="charts" class="panel-grid"></div>
<div class="panel-grid">
<section><h2>Top customers to save <a class="csv" data-csv="top-risk" download>CSV</a></h2><div id="risk" class="scroll"></div></section>
<section><h2>Customers <a class="csv" data-csv="customers" download>CSV</a></h2>
<input id="search" type="search" placeholder="search customer id or country"> <span id="customer-count"></span>
<div id="customers" class="scroll"></div></section>
</div>
<section id="detail"><p class="reading">Click a customer to see their features, scores, lifetime value, churn risk and segment history.</p></section>
<p>Export: <a class="csv" data-csv="segments" download>segments CSV</a> <a class="csv" data-csv="rfm-segments" download>RFM segments CSV</a></p>
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
