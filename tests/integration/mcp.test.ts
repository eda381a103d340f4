import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { generate } from '../../scripts/ingest/generate.ts';
import { loadOperations, type Operation } from '../../scripts/load/operations.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * `npm run mcp` as an MCP client sees it: the official SDK's client starts the server over stdio
 * (the same command npm runs), lists the tools, calls each one and compares the rows with the SQL
 * function's own result; the query tool answers a SELECT and refuses a write, a second statement,
 * and silver.
 */
const project = fileURLToPath(new URL('../..', import.meta.url));

let testDb: TestDatabase;
let db: Database;
let bi: pg.Pool;
let client: Client;
let operations: readonly Operation[];

interface ToolAnswer {
  readonly isError?: boolean;
  readonly content: readonly { type: string; text?: string }[];
  readonly structuredContent?: { columns: string[]; rows: Record<string, unknown>[]; truncated: boolean };
}

async function call(name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  return (await client.callTool({ name, arguments: args })) as unknown as ToolAnswer;
}

const textOf = (answer: ToolAnswer): string => answer.content.map((c) => c.text ?? '').join('\n');

/** Arguments an operation is called with here: its defaults, plus values for the required ones. */
const SAMPLE_ARGUMENTS: Record<string, Record<string, unknown>> = {
  kpis_slice: { dimension: 'country', value: 'United Kingdom' },
  summary_by: { dimension: 'rfm_segment' },
  value_at_risk_by: { dimension: 'segment' },
  top_risk_customers: { n: 5 },
  churn_by_clv_tier: { tiers: 5 },
  correlation_drivers: { target: 'clv_12m' },
  revenue_impact: { retention_uplift: 0.2 },
  single_priority_initiative: { budget: 500, cost_per_contact: 5 },
  segment_comparison: { a: 'Champions', b: 'At Risk' },
};

beforeAll(async () => {
  testDb = await createTestDatabase('mcp');
  db = await openTestProjectDb(testDb.url, project);
  await generate(db.pool, { customers: 800, seed: 3 });
  const outcome = await buildProject(db, project, {});
  if (!outcome.report.published) throw new Error(whyNot(outcome));
  operations = (await loadOperations(project)).operations;
  const url = new URL(testDb.url);
  url.username = 'strata_bi';
  url.password = (await readFile(join(project, '.strata', 'bi-password'), 'utf8')).trim();
  bi = new pg.Pool({ connectionString: url.toString(), max: 2 });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(project, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(project, 'scripts', 'mcp', 'server.ts'), '--row-limit', '50', '--statement-timeout', '2000'],
    cwd: project,
    env: { ...(process.env as Record<string, string>), DATABASE_URL: testDb.url },
    stderr: 'pipe',
  });
  client = new Client({ name: 'strata-test', version: '1.0.0' });
  await client.connect(transport);
}, 300_000);

afterAll(async () => {
  await client?.close();
  await bi?.end();
  await db?.close();
  await testDb?.drop();
});

describe('npm run mcp, through the SDK client over stdio', () => {
  it('lists one tool per operation, describe_gold and query, each with a description and a JSON schema', async () => {
    const { tools } = await client.listTools();
    const expected = [...operations.filter((o) => !o.internal).map((o) => o.name), 'describe_gold', 'query'];
    expect(tools.map((t) => t.name).sort()).toEqual(expected.sort());
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
    }
    const slice = tools.find((t) => t.name === 'kpis_slice')!;
    expect(slice.inputSchema.required).toEqual(['dimension', 'value']);
    const risk = tools.find((t) => t.name === 'top_risk_customers')!;
    expect(risk.inputSchema.properties!['n']).toMatchObject({ type: 'integer' });
    expect(risk.inputSchema.required ?? []).toEqual([]);
  });

  it('answers every operation tool with the rows the SQL function returns, as a table with units', async () => {
    for (const operation of operations.filter((o) => !o.internal && o.name !== 'score_customer')) {
      const args = SAMPLE_ARGUMENTS[operation.name] ?? {};
      const answer = await call(operation.name, args);
      expect(answer.isError, `${operation.name}: ${textOf(answer)}`).toBeFalsy();
      const names = operation.arguments.filter((a) => args[a.name] !== undefined);
      const sql = `select * from gold.${operation.name}(${names.map((a, i) => `${a.name} => $${i + 1}`).join(', ')})`;
      const expected = (await bi.query(sql, names.map((a) => args[a.name]))).rows;
      expect(answer.structuredContent!.rows, operation.name).toEqual(JSON.parse(JSON.stringify(expected.slice(0, 50))));
      const header = textOf(answer).split('\n')[0]!;
      for (const column of operation.columns.filter((c) => c.unit && answer.structuredContent!.columns.includes(c.name))) {
        expect(header, operation.name).toContain(`${column.name} [${column.unit}]`);
      }
    }
  }, 120_000);

  it('scores a customer through score_customer, as gold.score_customer does', async () => {
    const [row] = (
      await bi.query(`select to_jsonb(f) || jsonb_build_object('x', s.x, 't_x', s.t_x, 'age', s.age, 'repeat_order_value', s.repeat_order_value) as customer
                        from gold.customer_features f join gold.customer_clv_summary s using (customer_id) order by customer_id limit 1`)
    ).rows;
    const answer = await call('score_customer', { customer: row.customer });
    const [expected] = (await bi.query('select * from gold.score_customer($1)', [row.customer])).rows;
    expect(answer.structuredContent!.rows).toEqual([JSON.parse(JSON.stringify(expected))]);
  });

  it('describes gold: the published build, views with column descriptions, and the operations', async () => {
    const text = textOf(await call('describe_gold'));
    expect(text).toMatch(/^Published build \d+, published at \d{4}-\d\d-\d\dT/);
    expect(text).toContain('gold.customer_clv: ');
    expect(text).toContain('  - churn_probability (double precision): 1 - p_alive');
    expect(text).toContain('gold.summary_by(dimension text)');
    // no relation of another layer is listed (descriptions may name where a figure comes from)
    expect(text).not.toMatch(/^(silver|bronze)\./m);
    expect(textOf(await call('describe_gold', { table: 'kpis' }))).toContain('gold.kpis: ');
  });

  it('gives an operation error back to the model with its hint', async () => {
    const answer = await call('summary_by', { dimension: 'planet' });
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toMatch(/dimension "planet" does not exist in this build's gold; available dimensions: .*\nhint: domain dimensions/);
  });

  it('runs a read-only query as the BI role, cut at the row limit', async () => {
    const small = await call('query', { sql: 'select segment_name, count(*)::int as customers from gold.customer_segments group by 1 order by 1;' });
    const expected = (await bi.query('select segment_name, count(*)::int as customers from gold.customer_segments group by 1 order by 1')).rows;
    expect(small.structuredContent!.rows).toEqual(expected);
    const big = await call('query', { sql: 'select customer_id from gold.customer_features' });
    expect(big.structuredContent!.rows).toHaveLength(50);
    expect(big.structuredContent!.truncated).toBe(true);
    expect(textOf(big)).toContain('(only the first 50 rows');
    const [{ user }] = (await bi.query('select current_user as user')).rows;
    expect(((await call('query', { sql: 'select current_user as u' })).structuredContent!.rows[0]!)['u']).toBe(user);
  });

  it('refuses writes, a second statement, silver, and switching role', async () => {
    const refused: [string, RegExp][] = [
      ['delete from gold.kpis', /read-only transaction|syntax error|permission denied/],
      ['create table gold.x (a int)', /syntax error|read-only|permission denied/],
      ['select 1; drop table gold.kpis', /cannot insert multiple commands|syntax error/],
      ['select * from silver.customers', /permission denied for schema silver/],
      ['select * from bronze.retail_order_lines', /permission denied for schema bronze/],
      ["select set_config('role', 'postgres', false)", /permission denied|cannot set parameter "role"|role "postgres" does not exist/],
      ['select pg_sleep(30)', /statement timeout|canceling statement/],
    ];
    for (const [sql, pattern] of refused) {
      const answer = await call('query', { sql });
      expect(answer.isError, sql).toBe(true);
      expect(textOf(answer), sql).toMatch(pattern);
    }
    const [{ n }] = (await db.pool.query('select count(*)::int as n from gold.kpis')).rows;
    expect(n).toBe(1);
  }, 60_000);
});
