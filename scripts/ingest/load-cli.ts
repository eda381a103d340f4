#!/usr/bin/env tsx
/**
 * npm run load -- <file.csv|file.csv.gz> [--format online_retail|orders] [--map ours=theirs ...]
 *
 * Streams one CSV file into landing.order_lines (bad rows into landing.quarantine). Loading the
 * same file again adds nothing. The database is DATABASE_URL, else the project's embedded server.
 */
import { basename } from 'node:path';
import { Command } from 'commander';
import { count, log, openIngestDatabase, runCommand } from './cli-support.ts';
import { inspectFile, loadFile } from './load.ts';
import { parseColumnMap } from './loader/layout.ts';
import { progressOn, type Progress } from './progress.ts';

/** Files smaller than this load in a moment: no progress display. */
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

interface LoadCliOptions {
  readonly format?: string;
  readonly map?: readonly string[];
  readonly projectDir: string;
}

const program = new Command('load')
  .description('load a CSV file (plain or .gz) into landing.order_lines, or the airline loyalty files into their landing tables')
  .argument('<file>', 'the CSV file: UCI Online Retail layout, or strata\'s orders layout')
  .option('--format <name>', 'online_retail | orders | airline_members | airline_flight_activity (default: detected from the header)')
  .option('--map <ours=theirs...>', "read one of strata's columns from a column of yours, e.g. customer_id=ClientNumber")
  .option('--project-dir <dir>', 'the project whose embedded server to use when DATABASE_URL is not set', process.cwd())
  .showHelpAfterError()
  .action((file: string, raw: LoadCliOptions) => runCommand(() => load(file, raw)));

async function load(file: string, raw: LoadCliOptions): Promise<number> {
  const options = { file, ...(raw.format ? { format: raw.format } : {}), map: parseColumnMap(raw.map ?? []) };
  // Everything wrong with the file or the arguments is reported before a server is started.
  const inspected = await inspectFile(options);
  const db = await openIngestDatabase(raw.projectDir);
  let progress: Progress | undefined;
  try {
    if (inspected.source.bytes >= PROGRESS_FROM_BYTES) {
      progress = progressOn({ total: inspected.source.bytes, label: `loading ${basename(file)}` });
    }
    const result = await loadFile(db.pool, {
      ...options,
      onProgress: (p) => progress?.update(p.bytesRead, p.linesRead),
    });
    progress?.stop();
    if (result.alreadyLoaded) {
      log(`${file} is already loaded as batch ${result.batchId}: nothing added`);
      return 0;
    }
    const rate = count(Math.round(result.linesRead / Math.max(result.seconds, 1e-9)));
    log(
      `loaded ${count(result.linesLoaded)} of ${count(result.linesRead)} lines from ${file} as batch ${result.batchId} ` +
        `(${inspected.layout.format} format) in ${result.seconds.toFixed(1)}s, ${rate} lines/s`,
    );
    if (result.linesRejected > 0) {
      log(
        `${count(result.linesRejected)} lines could not be read and are in landing.quarantine; see them with:\n` +
          `  select reason, column_name, count(*) from landing.quarantine where batch_id = ${result.batchId} group by 1, 2`,
      );
    }
    return 0;
  } finally {
    progress?.stop();
    await db.close();
  }
}

await program.parseAsync(process.argv);
