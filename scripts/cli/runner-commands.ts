/**
 * The runner's commands: build, seed, test, compile, ls, rollback, clean, db. Each lists only the
 * options it uses. Registered in commands.ts.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { writeCompiledArtifacts } from '../compile/write.ts';
import { buildApplicationName, cancelOwnStatements } from '../db/build-sessions.ts';
import type { Database } from '../db/connect.ts';
import { stateDirOf } from '../db/embedded.ts';
import { publicPlanResolver } from '../plan/index.ts';
import { formatSummary, runBuild } from './build.ts';
import type { CommandContext } from './command.ts';
import { biConnectionHint } from './connection-hint.ts';
import { runDataTests } from '../audit/data-tests.ts';
import { ensureDemoData } from './demo-data.ts';
import { commonOptions, withBuildOptions, withProjectDir, withSelection, withVars, type RawOptions } from './options.ts';
import { runRollback } from './rollback.ts';
import { watchInterrupt } from './interrupt.ts';
import { serveDatabase } from './serve.ts';
import { compileSelection, openProjectDatabase, type CommonOptions } from './session.ts';

/** `build` (npm run build-models) */
export function buildCommand(cli: CommandContext): Command {
  return withProjectDir(withBuildOptions(withVars(withSelection(new Command('build')))))
    .description('migrate, load seeds, build every selected model, run the data tests, and publish if nothing with error severity failed')
    .action(cli.action(async (raw: RawOptions) => build(cli, 'build', commonOptions(raw))));
}

/** `seed` */
export function seedCommand(cli: CommandContext): Command {
  return withProjectDir(withBuildOptions(withVars(withSelection(new Command('seed')))))
    .description('load the seeds (CSV files in seeds/) into a new build and publish them')
    .action(cli.action(async (raw: RawOptions) => {
      const options = commonOptions(raw);
      const select = options.select.length ? options.select.map((s) => `${s},resource_type:seed`) : ['resource_type:seed'];
      return build(cli, 'seed', { ...options, select });
    }));
}

/** `test` (npm run test-data) */
export function testCommand(cli: CommandContext): Command {
  return withProjectDir(withVars(withSelection(new Command('test'))))
    .description('run the data tests against what is published; exits 1 when an error-severity test fails')
    .action(cli.action(async (raw: RawOptions) => {
      const options = commonOptions(raw);
      const compiled = await compileSelection(options);
      const db = await openProjectDatabase(options.projectDir, cli.log);
      try {
        return await runDataTests(compiled, db, cli.log, options.threads);
      } finally {
        await db.close();
      }
    }));
}

/** `compile` */
export function compileCommand(cli: CommandContext): Command {
  return withProjectDir(withVars(new Command('compile')))
    .description('render every model (no database): target/compiled/**.sql, formatted, and target/manifest.json')
    .action(cli.action(async (raw: RawOptions) => {
      const compiled = await compileSelection(commonOptions(raw));
      await writeCompiledArtifacts(compiled.targetDir, compiled.manifest, publicPlanResolver(compiled.manifest));
      cli.log(`compiled ${compiled.manifest.nodes.length} nodes and ${compiled.manifest.tests.length} tests into ${compiled.targetDir}`);
      return 0;
    }));
}

/** `ls` */
export function lsCommand(cli: CommandContext): Command {
  return withProjectDir(withVars(withSelection(new Command('ls'))))
    .description('list the selected nodes in build order (no database)')
    .option('--output <format>', 'name | path | json', 'name')
    .action(cli.action(async (raw: RawOptions & { output?: string }) => {
      const { manifest, selected } = await compileSelection(commonOptions(raw));
      for (const node of manifest.nodes.filter((n) => selected.has(n.id))) {
        const line =
          raw.output === 'path' ? node.path
          : raw.output === 'json' ? JSON.stringify({ id: node.id, path: node.path, materialized: node.config.materialized, schema: node.config.schema, depends_on: node.dependsOn })
          : `${node.resourceType}.${node.config.schema}.${node.name}`;
        cli.io.out(`${line}\n`);
      }
      return 0;
    }));
}

/** `rollback` */
export function rollbackCommand(cli: CommandContext): Command {
  return withProjectDir(withVars(new Command('rollback')))
    .description('publish the previous kept build again (instant: its objects are still there)')
    .action(cli.action(async (raw: RawOptions) => {
      const options = commonOptions(raw);
      const compiled = await compileSelection(options);
      const db = await openProjectDatabase(options.projectDir, cli.log);
      try {
        return await runRollback(compiled, db, cli.log);
      } finally {
        await db.close();
      }
    }));
}

/** `clean` */
export function cleanCommand(cli: CommandContext): Command {
  return withProjectDir(new Command('clean'))
    .description('delete target/ (compiled SQL, manifest, run results); the database is not touched')
    .action(cli.action(async (raw: RawOptions) => {
      const target = join(resolve(commonOptions(raw).projectDir), 'target');
      await rm(target, { recursive: true, force: true });
      cli.log(`removed ${target}`);
      return 0;
    }));
}

/** `db` */
export function dbCommand(cli: CommandContext): Command {
  return new Command('db')
    .description('start the embedded PostgreSQL and keep it running for BI tools and psql; Ctrl-C stops it')
    .option('--project-dir <dir>', 'the project whose embedded server to start', process.cwd())
    .action(cli.action(async (raw: { projectDir?: string }) => serveDatabase(resolve(raw.projectDir ?? process.cwd()), cli.log)));
}

async function build(cli: CommandContext, command: string, options: CommonOptions): Promise<number> {
  const { log } = cli;
  const compiled = await compileSelection(options, log);
  const applicationName = buildApplicationName();
  const db = await openProjectDatabase(options.projectDir, log, 10, applicationName);
  // The embedded server is stopped (db.close) only after the build has recorded how it ended.
  const interrupt = watchInterrupt({
    log,
    onCancel: () => void cancelOwnStatements(db.url, applicationName).catch(() => {}),
    onForce: () => void forceStop(db),
  });
  try {
    if (command === 'build') await ensureDemoData(compiled, db, log);
    const outcome = await runBuild({ command, options, compiled, db, log, cancelled: interrupt.requested, tsModels: options.tsModels });
    cli.io.out(`${formatSummary(outcome.report)}\n`);
    const hint = await biConnectionHint(compiled.project.settings, db, stateDirOf(compiled.project.settings.dir)).catch(() => undefined);
    if (hint) cli.io.out(`${hint}\n`);
    return outcome.exitCode;
  } finally {
    await db.close().catch(() => {});
    interrupt.dispose();
  }
}

/** A second Ctrl-C: stop the embedded server if we started it (at most a few seconds), and exit. */
async function forceStop(db: Database): Promise<never> {
  await Promise.race([db.embedded?.stop(), new Promise((resolve) => setTimeout(resolve, 5000))]).catch(() => {});
  process.exit(130);
}
