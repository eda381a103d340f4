#!/usr/bin/env tsx
/**
 * `npm run mcp`: a Model Context Protocol server on stdio, so an AI assistant can ask gold
 * questions. Tools: one per gold operation (operations/_operations.yml), describe_gold and a
 * read-only query tool, all run as the BI role. stdout carries the protocol; logs go to stderr.
 * See docs/operations.md for registering it with an MCP client.
 */
import { resolve } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Command, InvalidArgumentError } from 'commander';
import { StrataError } from '../core/errors.ts';
import { openProjectDatabase } from '../cli/session.ts';
import { loadProject } from '../load/index.ts';
import { loadOperations } from '../load/operations.ts';
import { openBiPool } from './connections.ts';
import { registerTools } from './tools.ts';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number, at least 1');
  return n;
}

const program = new Command('mcp')
  .description('Model Context Protocol server (stdio) answering from the published gold layer as the read-only BI role')
  .option('--project-dir <dir>', 'the strata project', process.cwd())
  .option('--row-limit <n>', 'rows a tool result may hold', positiveInteger, 200)
  .option('--statement-timeout <ms>', 'milliseconds a query may run', positiveInteger, 10_000)
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .showHelpAfterError();

program.parse();
const options = program.opts<{ projectDir: string; rowLimit: number; statementTimeout: number }>();

try {
  const projectDir = resolve(options.projectDir);
  const project = await loadProject(projectDir);
  const operations = (await loadOperations(projectDir)).operations;
  const db = await openProjectDatabase(projectDir, log, 2);
  const limits = { rowLimit: options.rowLimit, statementTimeoutMs: options.statementTimeout };
  const bi = await openBiPool(db, project.settings.biRole, projectDir, limits);
  const server = new McpServer({ name: 'strata', version: '0.1.0' }, { instructions: 'Customer analytics from strata\'s gold layer. Start with describe_gold or kpis_baseline; amounts are in the data\'s currency.' });
  registerTools(server, { owner: db.pool, bi, operations, limits });
  const close = async (): Promise<void> => {
    await server.close().catch(() => {});
    await bi.end().catch(() => {});
    await db.close().catch(() => {});
  };
  process.stdin.on('close', () => void close().then(() => process.exit(0)));
  process.on('SIGINT', () => void close().then(() => process.exit(130)));
  process.on('SIGTERM', () => void close().then(() => process.exit(0)));
  await server.connect(new StdioServerTransport());
  log(`strata MCP server ready on stdio (${operations.filter((o) => !o.internal).length + 2} tools, as BI role ${project.settings.biRole})`);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof StrataError ? error.exitCode : 1);
}
