import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../scripts/core/errors.ts';
import type { CompiledNode, PlannedNode } from '../../../scripts/core/types.ts';
import { explain } from '../../../scripts/execute/run-node.ts';
import { stackLineIn } from '../../../scripts/execute/stack-line.ts';

const config = { materialized: 'table', schema: 'gold', tags: [], enabled: true, indexes: [], pii: false } as const;
const common = { name: 'fails', path: 'models/gold/fails.ts', columns: [], config, dependsOn: [], sources: [] };

function planned(node: CompiledNode): PlannedNode {
  return { node, target: { schema: 'gold__b000001', name: node.name }, publicRelation: { schema: 'gold', name: node.name }, isIncremental: false, inputs: {}, buildId: 1 };
}

describe('stackLineIn', () => {
  it('finds the first frame in the file, by path or by file URL', () => {
    const stack = 'Error: no\n    at helper (/p/lib/x.ts:3:1)\n    at run (/p/models/gold/x.ts:12:7)\n    at /p/models/gold/x.ts:30:2';
    expect(stackLineIn(stack, '/p/models/gold/x.ts')).toBe(12);
    expect(stackLineIn('Error: no\n    at file:///p/my%20models/x.ts:8:3', '/p/my models/x.ts')).toBe(8);
    expect(stackLineIn('Error: no\n    at async run (file:///p/models/x.ts:5:9)', '/p/models/x.ts')).toBe(5);
  });

  it('says nothing when the stack does not pass through the file', () => {
    expect(stackLineIn('Error: no\n    at run (/p/lib/x.ts:3:1)', '/p/models/gold/x.ts')).toBeUndefined();
    expect(stackLineIn('Error: /p/models/gold/x.ts:3 in the message only', '/p/models/gold/x.ts')).toBeUndefined();
    expect(stackLineIn(undefined, '/p/models/gold/x.ts')).toBeUndefined();
  });
});

describe('explain', () => {
  it("names a TypeScript model's file and the line its exception came from, keeping the cause", async () => {
    const module = join(import.meta.dirname, '../../fixtures/ts-model-throws/fails.ts');
    const model = (await import(pathToFileURL(module).href)) as { default: { run(): Promise<void> } };
    const thrown = await model.default.run().then(() => undefined, (error: unknown) => error);
    const error = explain(planned({ ...common, id: 'model.fails', resourceType: 'model', language: 'ts', module }), thrown);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toBe('Error in model fails (models/gold/fails.ts:9): no rows to segment');
    expect(error.cause).toBe(thrown);
  });

  it('falls back to line 1 for other nodes', () => {
    const error = explain(planned({ ...common, id: 'model.fails', path: 'models/gold/fails.sql', resourceType: 'model', language: 'sql', sql: 'select 1', lineMap: [1] }), 'boom');
    expect(error.message).toBe('Error in model fails (models/gold/fails.sql:1): boom');
  });
});

describe('errors keep their cause', () => {
  it("a database error keeps the driver's error, a load error the file system's", async () => {
    const { toDatabaseError } = await import('../../../scripts/execute/sql-error.ts');
    const pgError = Object.assign(new Error('relation "x" does not exist'), { code: '42P01', position: '15' });
    const error = toDatabaseError(pgError, { node: 'model.a', file: 'models/a.sql', sql: 'select * from x', bodyOffset: 0, lineMap: [4] });
    expect(error.message).toContain('model a (models/a.sql:4)');
    expect(error.cause).toBe(pgError);
    const { csvRecords } = await import('../../../scripts/execute/seed/csv-records.ts');
    const missing = await csvRecords('/nonexistent/seed.csv').next().then(() => undefined, (e: unknown) => e as Error);
    expect(missing?.message).toBe('/nonexistent/seed.csv: file not found');
    expect((missing?.cause as { code?: string } | undefined)?.code).toBe('ENOENT');
  });
});
