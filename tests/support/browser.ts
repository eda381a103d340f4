import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); playwright's own browser downloads are not used. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium, failing with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Everything a page did wrong: console errors, page errors, failed and non-2xx requests. */
export interface PageProblems {
  readonly problems: string[];
  /** every URL the page requested */
  readonly requests: string[];
}

/** Records the page's problems from now on. */
export function watch(page: Page): PageProblems {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { problems, requests };
}

/** Per chart on the page: its id, the marks it says it holds, and the data marks drawn. */
export async function chartMarks(page: Page): Promise<{ id: string; expected: number; drawn: number }[]> {
  return page.$$eval('figure[data-chart]', (figures) =>
    figures.map((f) => ({
      id: f.getAttribute('data-chart') ?? '',
      expected: Number(f.getAttribute('data-expected-marks')),
      drawn: f.querySelectorAll('svg g.data_marks > *').length,
    })),
  );
}
