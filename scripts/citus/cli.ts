#!/usr/bin/env tsx
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { StrataError } from '../core/errors.ts';
import { clusterDown, clusterLayout, clusterStatus, clusterUp, coordinatorUrl, DEFAULT_PORT } from './cluster.ts';
import { ensureCitus, pgInstall } from './install.ts';
import { cacheDir } from './paths.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const projectDir = resolve(import.meta.dirname, '..', '..');

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 65533) throw new InvalidArgumentError('a port from 1024 to 65533 (three consecutive ports are used)');
  return n;
}

const program = new Command('citus')
  .description(`A local Citus cluster (a coordinator and two workers on localhost) to build strata on. Data and the compiled Citus live in ${cacheDir()}.`)
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

const withPort = (command: Command): Command =>
  command.option('--port <port>', 'the coordinator port; the workers take the next two', port, DEFAULT_PORT).option('--dir <dir>', 'where the nodes keep their data');

withPort(program.command('up'))
  .description('compile and install Citus if needed (once per machine), then start the three nodes and print DATABASE_URL')
  .action(action(async (opts: { port: number; dir?: string }) => {
    const cluster = clusterLayout(opts.dir ? resolve(opts.dir) : undefined, opts.port);
    const pgi = await ensureCitus(projectDir, log);
    await clusterUp(cluster, pgi, log);
    process.stdout.write(`DATABASE_URL=${coordinatorUrl(cluster)}\n`);
  }));

withPort(program.command('down'))
  .description('stop the three nodes (their data stays unless --purge)')
  .option('--purge', 'also remove the nodes\' data directories', false)
  .action(action(async (opts: { port: number; dir?: string; purge: boolean }) => {
    await clusterDown(clusterLayout(opts.dir ? resolve(opts.dir) : undefined, opts.port), await pgInstall(), opts.purge, log);
  }));

withPort(program.command('status'))
  .description('say which nodes run, which workers the coordinator knows, and DATABASE_URL')
  .action(action(async (opts: { port: number; dir?: string }) => {
    const lines = await clusterStatus(clusterLayout(opts.dir ? resolve(opts.dir) : undefined, opts.port), await pgInstall());
    process.stdout.write(`${lines.join('\n')}\n`);
  }));

program.command('install')
  .description('only compile and install Citus into the system PostgreSQL 15 (skipped when already installed)')
  .action(action(async () => {
    await ensureCitus(projectDir, log);
    log('Citus is installed');
  }));

function action<T>(body: (opts: T) => Promise<void>): (opts: T) => Promise<void> {
  return async (opts) => {
    try {
      await body(opts);
    } catch (error) {
      log(error instanceof Error ? error.message : String(error));
      process.exitCode = error instanceof StrataError ? error.exitCode : 1;
    }
  };
}

await program.parseAsync(process.argv);
