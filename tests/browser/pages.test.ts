import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSelection } from '../../scripts/cli/session.ts';
import { dashboardApp } from '../../scripts/dashboard/app.ts';
import * as d from '../../scripts/panels/data.ts';
import { CLV_BINS } from '../../scripts/panels/sql.ts';
import { buildDocsSite } from '../../scripts/report/docs-site/build.ts';
import { readReportData } from '../../scripts/report/report-data.ts';
import { renderReport } from '../../scripts/report/report-page.ts';
import { chartMarks, launchChromium, watch } from '../support/browser.ts';
import { PROJECT, reportFixture, type ReportFixture } from '../support/report-fixture.ts';

// The report, the dashboard and the docs site in headless Chromium, on the real project built
// from generated data. Screenshots go to target/screenshots/ for a person to look at.
const CUSTOMERS = 400;
const OUT = join(PROJECT, 'target', 'browser-test');
const SCREENSHOTS = join(PROJECT, 'target', 'screenshots');

let fx: ReportFixture;
let browser: Browser;

beforeAll(async () => {
  [fx, browser] = await Promise.all([reportFixture('browser', CUSTOMERS), launchChromium()]);
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('report', () => {
  it('is one self-contained page: every chart drawn with one mark per row, no error, no request', async () => {
    const html = await renderReport(await readReportData(fx.db.pool), new Date());
    const file = join(OUT, 'report', 'index.html');
    await mkdir(join(OUT, 'report'), { recursive: true });
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = watch(page);
    await page.goto(pathToFileURL(file).href);
    expect(seen.problems).toEqual([]);
    // nothing but the file itself: no script, style, font or image from anywhere
    expect(seen.requests).toEqual([pathToFileURL(file).href]);

    const marks = await chartMarks(page);
    for (const m of marks) expect(m.drawn, `chart ${m.id}`).toBe(m.expected);
    const byId = new Map(marks.map((m) => [m.id, m.drawn]));
    const k = (await d.loadSegments(fx.db.pool)).length;
    const candidates = (await d.loadKSelection(fx.db.pool)).length;
    const months = (await d.loadMonthly(fx.db.pool)).length;
    expect(Object.fromEntries(byId)).toMatchObject({
      'segment-size': k,
      'segment-revenue-share': k,
      'segment-profile': k * 7,
      'k-inertia': candidates,
      'k-silhouette': candidates,
      'rfm-grid-customers': 25,
      'rfm-grid-revenue': 25,
      'rfm-segments': 11,
      'clv-distribution': CLV_BINS,
      'churn-vs-clv': CUSTOMERS,
      'monthly-revenue': months,
      'monthly-active': months,
      'monthly-churn': months,
    });
    expect(byId.get('data-quality')).toBeGreaterThan(5);
    expect(byId.get('clv-fit')).toBeGreaterThanOrEqual(2);
    // every section of the issue is there, each with its reading
    for (const id of ['kpis', 'segments', 'rfm', 'value', 'recommendations', 'movement', 'quality']) {
      expect(await page.locator(`section#${id} p.reading`).textContent()).not.toBe('');
    }
    expect(await page.locator('table[data-table="top-risk"] tbody tr').count()).toBe(25);
    expect(await page.locator('table[data-table="recommendations"] tbody tr').count()).toBe(11 + k);
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
    // the top of the page, small enough for the README (docs/img/ holds a copy)
    await page.screenshot({ path: join(SCREENSHOTS, 'readme-report.png'), clip: { x: 0, y: 0, width: 1280, height: 1500 }, fullPage: true });
    await page.close();
  });
});

describe('dashboard', () => {
  let server: ServerType;
  let base: string;

  beforeAll(async () => {
    const app = dashboardApp({ pool: fx.bi, statementTimeoutMs: 10_000 });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server?.close();
  });

  it('a filter changes the KPI tiles and the table to what SQL gives for it', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const seen = watch(page);
    // under the whole suite on two cores a view can take long to come: waits are generous, checks exact
    page.setDefaultTimeout(90_000);
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const tile = async (key: string): Promise<number> => Number(await page.getAttribute(`.tile[data-kpi="${key}"]`, 'data-value'));
    const all = await fx.db.pool.query(`select customers, active_customers, revenue from gold.kpis`);
    expect(await tile('customers')).toBe(Number(all.rows[0].customers));
    expect(await tile('activeCustomers')).toBe(Number(all.rows[0].active_customers));
    expect(await tile('revenue')).toBeCloseTo(Number(all.rows[0].revenue), 2);
    // money tiles name the unit of the values (seed value_units: the generator's pounds)
    expect(await page.textContent('.tile[data-kpi="revenue"] .label')).toBe('Revenue (GBP)');
    expect(await page.textContent('.tile[data-kpi="customers"] .label')).toBe('Customers');
    for (const m of await chartMarks(page)) expect(m.drawn, `chart ${m.id}`).toBe(m.expected);
    expect((await chartMarks(page)).map((m) => m.id)).toEqual(
      expect.arrayContaining(['segment-size', 'rfm-grid-customers', 'rfm-segments', 'clv-distribution', 'churn-vs-clv']),
    );

    // filter on the most common RFM segment
    const { rows } = await fx.db.pool.query(`select rfm_segment from gold.customer_rfm group by 1 order by count(*) desc, 1 limit 1`);
    const rfm = rows[0].rfm_segment as string;
    await page.evaluate(() => (document.body.dataset.ready = 'false'));
    await page.selectOption('#f-rfmSegment', rfm);
    await page.waitForSelector('body[data-ready="true"]');
    const expected = await fx.db.pool.query(
      `select count(*) as customers, count(*) filter (where f.is_active) as active, sum(f.monetary) as revenue
         from gold.customer_features f join gold.customer_rfm r using (customer_id) where r.rfm_segment = $1`,
      [rfm],
    );
    expect(await tile('customers')).toBe(Number(expected.rows[0].customers));
    expect(await tile('activeCustomers')).toBe(Number(expected.rows[0].active));
    expect(await tile('revenue')).toBeCloseTo(Number(expected.rows[0].revenue), 2);
    expect(Number(await page.getAttribute('#customer-count', 'data-total'))).toBe(Number(expected.rows[0].customers));
    const shown = await page.$$eval('table[data-table="customers"] tbody tr', (trs) => trs.map((tr) => tr.children[3]?.textContent));
    expect(shown.length).toBe(Math.min(100, Number(expected.rows[0].customers)));
    expect(new Set(shown)).toEqual(new Set([rfm]));
    const grid = await chartMarks(page);
    expect(grid.find((m) => m.id === 'rfm-segments')?.drawn).toBe(11);

    // search, then a customer's detail
    const first = shown.length ? await page.locator('table[data-table="customers"] tbody tr').first().getAttribute('data-customer') : null;
    await page.fill('#search', first!);
    await page.waitForFunction((id) => {
      const rows = document.querySelectorAll('table[data-table="customers"] tbody tr');
      return rows.length >= 1 && [...rows].every((r) => (r.getAttribute('data-customer') ?? '').includes(id));
    }, first!);
    await page.locator(`table[data-table="customers"] tr[data-customer="${first}"]`).click();
    await page.waitForSelector(`#detail h3[data-detail="${first}"]`);
    expect(await page.locator('#detail table[data-table="history"] tbody tr').count()).toBeGreaterThanOrEqual(1);

    // CSV of the filtered customers: one line per customer
    const csv = await page.request.get(`${base}/api/csv/customers?rfmSegment=${encodeURIComponent(rfm)}`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).trim().split('\r\n')).toHaveLength(Number(expected.rows[0].customers) + 1);

    expect(seen.problems).toEqual([]);
    await page.selectOption('#f-rfmSegment', '');
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('table[data-table="top-risk"] tbody tr').first().click();
    await page.waitForSelector('#detail h3');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'readme-dashboard.png'), clip: { x: 0, y: 0, width: 1400, height: 1500 }, fullPage: true });
    await page.close();
  });

  it('with a token, a request without it is refused', async () => {
    const app = dashboardApp({ pool: fx.bi, statementTimeoutMs: 10_000, token: 's3cret' });
    expect((await app.request('/api/options')).status).toBe(401);
    expect((await app.request('/api/options?token=s3cret')).status).toBe(200);
    expect((await app.request('/api/csv/anything?token=s3cret')).status).toBe(404);
  });

  it('`strata dashboard` keeps serving until Ctrl-C, then stops cleanly with exit 0', async () => {
    // the one command line exits when a command returns: the dashboard must return only on Ctrl-C
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/index.ts', 'dashboard', '--port', '0'], {
      cwd: PROJECT,
      env: { ...process.env, DATABASE_URL: fx.testDb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /dashboard: (http:\/\/\S+\/)/.exec(out);
        if (found) resolve(found[1]!);
      });
      void exited.then((code) => reject(new Error(`strata dashboard exited ${code} before serving: ${err}`)));
    });
    const options = await fetch(`${url}api/options`);
    expect(options.status).toBe(200);
    // still serving a while later, with the request's keep-alive connection idle
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${url}api/view`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited, err).toBe(0);
    expect(err).toContain('stopping the dashboard');
    expect(err).not.toMatch(/unexpected error/);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('docs site', () => {
  it('has one lineage node per model, each opening its page', async () => {
    const compiled = await compileSelection({ projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, join(OUT, 'target'));
    const dir = join(OUT, 'docs');
    await buildDocsSite(compiled, dir, fx.db.pool);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const seen = watch(page);
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const models = compiled.manifest.nodes.filter((n) => n.resourceType === 'model').map((n) => n.id).sort();
    const drawn = await page.$$eval('svg.lineage g.node[data-kind="model"]', (gs) => gs.map((g) => g.getAttribute('data-node')));
    expect(drawn.sort()).toEqual(models);
    expect(await page.locator('svg.lineage path.edge').count()).toBeGreaterThan(models.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'docs.png') });
    await page.locator('svg.lineage g.node[data-node="model.customer_rfm"]').click();
    await page.waitForSelector('[data-node-page="model.customer_rfm"]');
    expect(await page.locator('table[data-table="columns"] tbody tr').count()).toBeGreaterThan(5);
    expect(await page.locator('[data-test-status="pass"]').count()).toBeGreaterThan(5);
    expect(await page.locator('pre code').textContent()).toMatch(/"?gold"?\."?customer_features"?/);
    expect(seen.problems).toEqual([]);
    await page.close();
  });
});
