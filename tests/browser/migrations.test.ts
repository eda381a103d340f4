import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/ingest/generate.ts';
import * as d from '../../scripts/panels/data.ts';
import { readReportData } from '../../scripts/report/report-data.ts';
import { renderReport } from '../../scripts/report/report-page.ts';
import { chartMarks, launchChromium, watch } from '../support/browser.ts';
import { buildProject, whyNot } from '../support/build.ts';
import { PROJECT, reportFixture, type ReportFixture } from '../support/report-fixture.ts';

// The segment-migration matrix needs customers whose segment changed between two builds. The
// fixture's first build scores 400 generated customers; a second batch of 150 new customers
// buying in the two months after the first window moves the as-of day on, so the first
// customers' recency grows and their RFM scores (quintiles over everyone) and k-means segments
// move. gold.segment_migrations is then compared with a count written here over the segment
// history, and the report's two matrices, drawn in Chromium, with those counts.
const OUT = join(PROJECT, 'target', 'browser-test', 'migrations');

let fx: ReportFixture;
let browser: Browser;

const byPair = (a: Move, b: Move): number => a.from.localeCompare(b.from) || a.to.localeCompare(b.to);

interface Move {
  readonly from: string;
  readonly to: string;
  readonly customers: number;
}

/**
 * Moves per (before, now) pair from gold.segment_history alone: with two builds a customer has
 * at most two versions, so a move is a closed version followed by the current one (its
 * dbt_valid_from is where the closed one ends) with a different segment of that kind.
 */
async function movesFromHistory(column: 'rfm_segment' | 'segment_name'): Promise<Move[]> {
  const { rows } = await fx.db.pool.query(
    `select before.${column} as "from", now.${column} as "to", count(*)::int as customers
       from gold.segment_history as now
       join gold.segment_history as before
         on before.customer_id = now.customer_id and before.dbt_valid_to = now.dbt_valid_from
      where now.dbt_valid_to is null and before.${column} <> now.${column}
      group by 1, 2
      order by 1, 2`,
  );
  return (rows as Move[]).sort(byPair);
}

// the CLV step as in the report fixture, with one model: on the second batch's data `auto`
// also fits MBG/NBD, which does not converge there, and that would fail the build (CLV is not
// what this file tests)
const VARS = { clv_model: 'bgnbd' };

beforeAll(async () => {
  [fx, browser] = await Promise.all([reportFixture('migrations', 400, VARS), launchChromium()]);
  const first = await d.loadMigrations(fx.db.pool, 'rfm');
  expect(first).toEqual([]);
  await generate(fx.db.pool, { customers: 150, seed: 22, start: '2011-12-01', months: 2 });
  const second = await buildProject(fx.db, PROJECT, { vars: VARS });
  expect(second.exitCode, whyNot(second)).toBe(0);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe('segment migrations after a second build', () => {
  it('the fixture has two versions at most per customer, and customers moved in both segmentations', async () => {
    const { rows } = await fx.db.pool.query(`select max(n)::int as most from (select count(*) as n from gold.segment_history group by customer_id) as v`);
    expect(rows[0].most).toBe(2);
    expect((await movesFromHistory('rfm_segment')).length).toBeGreaterThan(1);
    expect((await movesFromHistory('segment_name')).length).toBeGreaterThan(0);
  });

  it('gold.segment_migrations counts what the segment history says, per kind and pair', async () => {
    for (const [kind, column] of [['rfm', 'rfm_segment'], ['kmeans', 'segment_name']] as const) {
      const expected = await movesFromHistory(column);
      const { rows } = await fx.db.pool.query(
        `select from_segment as "from", to_segment as "to", customers::int as customers from gold.segment_migrations where segment_kind = $1 order by 1, 2`,
        [kind],
      );
      expect((rows as Move[]).sort(byPair), kind).toEqual(expected);
      expect([...(await d.loadMigrations(fx.db.pool, kind))].sort(byPair), kind).toEqual(expected);
    }
  });

  it("the report's matrices draw one cell per pair, each with its count", async () => {
    const html = await renderReport(await readReportData(fx.db.pool), new Date());
    await mkdir(OUT, { recursive: true });
    const file = join(OUT, 'index.html');
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = watch(page);
    await page.goto(pathToFileURL(file).href);
    const marks = new Map((await chartMarks(page)).map((m) => [m.id, m]));
    for (const [id, column] of [['migrations-rfm', 'rfm_segment'], ['migrations-kmeans', 'segment_name']] as const) {
      const expected = await movesFromHistory(column);
      expect(marks.get(id), id).toEqual({ id, expected: expected.length, drawn: expected.length });
      // each cell's accessible label names its pair and count, as vega writes it from the datum
      const labels = await page.$$eval(`figure[data-chart="${id}"] svg g.data_marks > *`, (cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
      const drawn = labels.map((label) => {
        const field = (name: string): string => new RegExp(`${name}: ([^;]*)`).exec(label)?.[1]?.trim() ?? '';
        return { from: field('before'), to: field('now'), customers: Number(field('customers')) };
      });
      expect(drawn.sort(byPair), id).toEqual(expected);
    }
    expect(seen.problems).toEqual([]);
    await page.locator('section#movement').screenshot({ path: join(PROJECT, 'target', 'screenshots', 'report-migrations.png') });
    await page.close();
  });
});
