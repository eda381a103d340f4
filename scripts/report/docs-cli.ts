/**
 * `strata docs [--out target/docs] [--offline] [--project-dir .]` (npm run docs)
 *
 * A static docs site like dbt's: every model, seed and source with descriptions, columns,
 * materialisation, compiled SQL, tests and their last results, and a lineage graph.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { CommandContext } from '../cli/command.ts';
import { compileSelection, openProjectDatabase } from '../cli/session.ts';
import { buildDocsSite } from './docs-site/build.ts';

interface DocsOptions {
  readonly out?: string;
  readonly offline?: boolean;
  readonly projectDir: string;
}

/** The `docs` command; registered in scripts/cli/commands.ts. */
export function docsCommand(cli: CommandContext): Command {
  return new Command('docs')
    .description('write target/docs/: a page per model, seed and source, and the lineage graph')
    .option('--out <dir>', 'where to write the site (default <project>/target/docs)')
    .option('--offline', 'do not connect to the database (tests show "not run yet")')
    .option('--project-dir <dir>', 'the project', process.cwd())
    .action(cli.action(async (options: DocsOptions) => writeDocs(options, cli)));
}

async function writeDocs(options: DocsOptions, cli: CommandContext): Promise<number> {
  const started = Date.now();
  const compiled = await compileSelection({ projectDir: options.projectDir, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, cli.log);
  const out = resolve(options.out ?? join(compiled.targetDir, 'docs'));
  let pages: number;
  if (options.offline) {
    pages = await buildDocsSite(compiled, out);
  } else {
    const db = await openProjectDatabase(options.projectDir, cli.log, 2);
    try {
      pages = await buildDocsSite(compiled, out, db.pool);
    } finally {
      await db.close();
    }
  }
  cli.io.out(`wrote ${pages} pages to ${out} (open ${join(out, 'index.html')}) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return 0;
}
