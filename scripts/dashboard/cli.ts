/**
 * `strata dashboard [--port 8787] [--host 127.0.0.1] [--token <secret>] [--project-dir .]` (npm run dashboard)
 *
 * Serves the dashboard on 127.0.0.1, reading published gold live through the read-only BI role.
 * Binding to any other address requires --token (or STRATA_DASHBOARD_TOKEN). The command returns
 * only when Ctrl-C (or SIGTERM) stops it, after closing the server, its pools and the embedded
 * PostgreSQL it started; the one command line exits after the command returns.
 */
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import type { CommandContext } from '../cli/command.ts';
import { InterruptCounter } from '../cli/interrupt.ts';
import { UsageError } from '../core/errors.ts';
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

/** The `dashboard` command; registered in scripts/cli/commands.ts. */
export function dashboardCommand(cli: CommandContext): Command {
  return new Command('dashboard')
    .description('serve the dashboard: published gold, live, through the read-only BI role; Ctrl-C stops it')
    .option('--port <n>', 'port to listen on (0 = any free port)', port, 8787)
    .option('--host <address>', 'address to bind; any other than localhost requires a token', '127.0.0.1')
    .option('--token <secret>', 'require this token on every request (?token=…); default STRATA_DASHBOARD_TOKEN')
    .option('--statement-timeout <ms>', 'statement timeout of every query', milliseconds, 15_000)
    .option('--project-dir <dir>', 'the project (its embedded server when DATABASE_URL is not set)', process.cwd())
    .action(cli.action(async (options: DashboardCliOptions) => serveDashboard(options, cli)));
}

async function serveDashboard(options: DashboardCliOptions, cli: CommandContext): Promise<number> {
  const token = options.token ?? process.env.STRATA_DASHBOARD_TOKEN;
  if (!isLoopback(options.host) && !token) {
    throw new UsageError(`binding to ${options.host} lets other machines read gold: give --token <secret> (or STRATA_DASHBOARD_TOKEN)`);
  }
  const projectDir = resolve(options.projectDir);
  const project = await loadProject(projectDir);
  // listening before the embedded server starts: its own signal hook then leaves Ctrl-C to us,
  // and we stop it after the web server and the pools are closed
  const stopped = untilStopped(cli.log);
  let owner: Database | undefined;
  let pool: pg.Pool | undefined;
  try {
    owner = await openDatabase({
      projectDir,
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      log: cli.log,
      poolSize: 1,
    });
    const url = await biUrl(owner.url, project.settings.biRole, stateDirOf(projectDir));
    pool = new pg.Pool({ connectionString: url, max: 6, application_name: 'strata dashboard' });
    pool.on('error', () => {});
    const app = dashboardApp({ pool, statementTimeoutMs: options.statementTimeout, ...(token ? { token } : {}) });
    const server = await new Promise<ReturnType<typeof serve>>((resolveListening, reject) => {
      const listening = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
        const host = info.address.includes(':') ? `[${info.address}]` : info.address;
        cli.io.out(`dashboard: http://${host}:${info.port}/${token ? '?token=…' : ''}  (reading gold as ${redactUrl(url)}; Ctrl-C stops it)\n`);
        resolveListening(listening);
      });
      listening.once('error', reject); // e.g. the port is in use
    });
    await stopped.signal;
    cli.log('stopping the dashboard');
    await new Promise<void>((closed) => {
      server.close(() => closed());
      // an open browser keeps idle keep-alive connections; they would hold close() forever
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    return 0;
  } finally {
    await pool?.end().catch(() => {});
    await owner?.close();
    // listening until the embedded server has stopped: a relayed or repeated SIGTERM during the
    // shutdown is counted (the same stop, or a deliberate one that exits 130) instead of killing
    // the process mid-shutdown with the default handler (exit 143, seen once in CI)
    stopped.dispose();
  }
}

/**
 * Resolves on the first Ctrl-C or SIGTERM. The wrappers in the process group relay one Ctrl-C
 * more than once, so repeats close to it are the same; a later, deliberate one exits at once.
 */
function untilStopped(log: (line: string) => void): { readonly signal: Promise<void>; dispose(): void } {
  const counter = new InterruptCounter();
  let resolveSignal: () => void = () => {};
  const signal = new Promise<void>((resolved) => (resolveSignal = resolved));
  const listener = (): void => {
    const kind = counter.signal(performance.now());
    if (kind === 'cancel') resolveSignal();
    else if (kind === 'force') {
      log('stopping at once');
      process.exit(130);
    }
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
  };
}
