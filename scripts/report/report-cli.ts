/**
 * `strata report [--out target/report/index.html] [--project-dir .]` (npm run report)
 *
 * Writes the report of the published build: one self-contained HTML file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import type { CommandContext } from '../cli/command.ts';
import { openProjectDatabase } from '../cli/session.ts';
import { readReportData } from './report-data.ts';
import { renderReport } from './report-page.ts';

interface ReportOptions {
  readonly out?: string;
  readonly projectDir: string;
}

/** The `report` command; registered in scripts/cli/commands.ts. */
export function reportCommand(cli: CommandContext): Command {
  return new Command('report')
    .description('write target/report/index.html: the published build as one self-contained page (KPIs, segments, RFM, value and risk, movement, data quality)')
    .option('--out <file>', 'where to write the page (default <project>/target/report/index.html)')
    .option('--project-dir <dir>', 'the project (its embedded server when DATABASE_URL is not set)', process.cwd())
    .action(cli.action(async (options: ReportOptions) => writeReport(options, cli)));
}

async function writeReport(options: ReportOptions, cli: CommandContext): Promise<number> {
  const started = Date.now();
  const out = resolve(options.out ?? join(options.projectDir, 'target', 'report', 'index.html'));
  const db = await openProjectDatabase(options.projectDir, cli.log, 4);
  try {
    const data = await readReportData(db.pool);
    const html = await renderReport(data, new Date());
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
    cli.io.out(`wrote ${out} (build ${data.build.buildId}, ${(html.length / 1024).toFixed(0)} KB) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    return 0;
  } finally {
    await db.close();
  }
}
