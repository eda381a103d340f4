#!/usr/bin/env tsx
/**
 * npm run dashboard -- [--port 8787] [--host 127.0.0.1] [--token <secret>] [--project-dir .]
 *
 * Serves the dashboard on 127.0.0.1, reading published gold live through the read-only BI role.
 * Binding to any other address requires --token (or STRATA_DASHBOARD_TOKEN).
 */
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { StrataError, UsageError } from '../core/errors.ts';
import { openDatabase, type Database } from '../db/connect.ts';
import { stateDirOf } from '../db/embedded.ts';
import { redactUrl } from '../db/redact.ts';
import { loadProject } from '../load/index.ts';
import { dashboardApp } from './app.ts';
import { biUrl, isLoopback } from './bi-connection.ts';

interface DashboardCliOptions {
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly statementTimeout: number;
  readonly projectDir: string;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number, 0 to 65535 (0 = any free port)');
  return n;
};

const milliseconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of milliseconds, at least 1');
  return n;
};

const program = new Command('dashboard')
  .description('serve the dashboard: published gold, live, through the read-only BI role')
  .option('--port <n>', 'port to listen on (0 = any free port)', port, 8787)
  .option('--host <address>', 'address to bind; anything but localhost requires --token', '127.0.0.1')
  .option('--token <secret>', 'require this token on every request (?token=…); default STRATA_DASHBOARD_TOKEN')
  .option('--statement-timeout <ms>', 'statement timeout of every query', milliseconds, 15_000)
  .option('--project-dir <dir>', 'the project (its embedded server when DATABASE_URL is not set)', process.cwd())
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (options: DashboardCliOptions) => {
    try {
      await run(options);
    } catch (error) {
      console.error(error instanceof StrataError ? `error: ${error.message}` : error);
      process.exit(error instanceof StrataError ? error.exitCode : 1);
    }
  });

async function run(options: DashboardCliOptions): Promise<void> {
  const token = options.token ?? process.env.STRATA_DASHBOARD_TOKEN;
  if (!isLoopback(options.host) && !token) {
    throw new UsageError(`binding to ${options.host} lets other machines read gold: give --token <secret> (or STRATA_DASHBOARD_TOKEN)`);
  }
  const projectDir = resolve(options.projectDir);
  const project = await loadProject(projectDir);
  const owner: Database = await openDatabase({
    projectDir,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    log: (line) => console.error(line),
    poolSize: 1,
  });
  const url = await biUrl(owner.url, project.settings.biRole, stateDirOf(projectDir));
  const pool = new pg.Pool({ connectionString: url, max: 6, application_name: 'strata dashboard' });
  pool.on('error', () => {});
  const app = dashboardApp({ pool, statementTimeoutMs: options.statementTimeout, ...(token ? { token } : {}) });
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
    const host = info.address.includes(':') ? `[${info.address}]` : info.address;
    console.log(`dashboard: http://${host}:${info.port}/${token ? '?token=…' : ''}  (reading gold as ${redactUrl(url)}; Ctrl-C stops it)`);
  });
  const stop = async (): Promise<void> => {
    server.close();
    await pool.end();
    await owner.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await program.parseAsync();
