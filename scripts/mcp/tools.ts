import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type pg from 'pg';
import { z } from 'zod';
import { quoteIdent } from '../core/ts-model.ts';
import type { Operation, OperationArgument } from '../load/operations.ts';
import type { ReadOnlyLimits } from './connections.ts';
import { describeGold } from './describe.ts';
import { formatTable, type Table } from './format.ts';
import { readOnlyQuery } from './query.ts';

export interface ToolContext {
  readonly owner: pg.Pool;
  readonly bi: pg.Pool;
  readonly operations: readonly Operation[];
  readonly limits: ReadOnlyLimits;
}

/**
 * Registers the tools: one per (non-internal) gold operation, describe_gold and query. Every
 * tool is read-only and runs as the BI role; results are a compact table (text, with units) and
 * the same rows as structured content, for clients that read JSON.
 */
export function registerTools(server: McpServer, context: ToolContext): void {
  for (const operation of context.operations.filter((o) => !o.internal)) registerOperation(server, context, operation);

  server.registerTool(
    'describe_gold',
    {
      description:
        'Describes what strata publishes: the published build and when, every gold view with its columns and their meaning, and the ' +
        'operations. Call it first to learn the data, or with `table` for one view.',
      inputSchema: { table: z.string().optional().describe('One gold view name, e.g. customer_clv; omit for all') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ table }) => answer(async () => text(await describeGold(context.owner, context.bi, context.operations, table))),
  );

  server.registerTool(
    'query',
    {
      description:
        `Runs one read-only SQL query (PostgreSQL) on the gold schema as the BI role: a read-only transaction, a ` +
        `${context.limits.statementTimeoutMs / 1000} s statement timeout, at most ${context.limits.rowLimit} rows. Only gold is ` +
        'readable (not silver, bronze or personal data). Prefer the operation tools; use this for questions they do not cover. ' +
        'Qualify tables as gold.<view>; describe_gold lists them.',
      inputSchema: { sql: z.string().min(1).describe('One SELECT (or WITH ... SELECT) statement') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ sql }) => answer(async () => tableResult(await readOnlyQuery(context.bi, sql, context.limits), {})),
  );
}

function registerOperation(server: McpServer, context: ToolContext, operation: Operation): void {
  const units = Object.fromEntries(operation.columns.flatMap((c) => (c.unit ? [[c.name, c.unit]] : [])));
  server.registerTool(
    operation.name,
    {
      description: operation.description,
      inputSchema: Object.fromEntries(operation.arguments.map((a) => [a.name, argumentSchema(a)])),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args: Record<string, unknown>) =>
      answer(async () => {
        const given = operation.arguments.filter((a) => args[a.name] !== undefined);
        // named notation: arguments left out take the function's defaults
        const call = given.map((a, i) => `${quoteIdent(a.name)} => $${i + 1}${a.type === 'json' ? '::jsonb' : ''}`).join(', ');
        const values = given.map((a) => (a.type === 'json' ? JSON.stringify(args[a.name]) : args[a.name]));
        return tableResult(await readOnlyQuery(context.bi, `select * from gold.${quoteIdent(operation.name)}(${call})`, context.limits, values), units);
      }),
  );
}

function argumentSchema(argument: OperationArgument): z.ZodTypeAny {
  const base =
    argument.enum && argument.enum.length > 0
      ? z.enum(argument.enum as [string, ...string[]])
      : argument.type === 'integer'
        ? z.number().int()
        : argument.type === 'number'
          ? z.number()
          : argument.type === 'json'
            ? z.record(z.unknown())
            : z.string();
  const described = base.describe(argument.default === undefined ? argument.description : `${argument.description} (default ${argument.default})`);
  return argument.default === undefined ? described : described.optional();
}

function tableResult(table: Table, units: Readonly<Record<string, string>>): CallToolResult {
  return {
    content: [{ type: 'text', text: formatTable(table, units) }],
    structuredContent: { columns: [...table.columns], rows: table.rows.map((r) => ({ ...r })), truncated: table.truncated },
  };
}

function text(body: string): CallToolResult {
  return { content: [{ type: 'text', text: body }] };
}

/** Database errors become tool errors the model can read and correct (message, hint). */
async function answer(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    const message = error instanceof Error ? error.message : String(error);
    return { isError: true, content: [{ type: 'text', text: `error: ${message}${hint ? `\nhint: ${hint}` : ''}` }] };
  }
}
