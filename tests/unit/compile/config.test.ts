import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../scripts/compile/config.ts';
import { compileProject } from '../../../scripts/compile/index.ts';
import type { CompileError } from '../../../scripts/core/errors.ts';
import { makeProject } from './project.ts';

const at = (file: string, line = 1) => ({ file, line });

function resolve(kind: 'sql' | 'ts' | 'seed', ...layers: Record<string, unknown>[]) {
  const errors: CompileError[] = [];
  const config = resolveConfig('model.m', kind, layers.map((values, i) => ({ values, location: at(`layer${i}.yml`, i + 1) })), errors);
  return { config, errors: errors.map((e) => e.message) };
}

describe('config precedence', () => {
  it('folder < YAML config < {{ config() }}, tags accumulating', () => {
    const project = makeProject({
      models: { 'models/gold/m.sql': "{{ config(materialized='incremental', unique_key=['a', 'b'], tags=['file']) }}\nselect 1" },
      properties: [{ name: 'm', config: { materialized: 'view', alias: 'm_alias', tags: ['yaml'], pii: true } }],
    });
    const withFolder = { ...project, models: [{ ...project.models[0]!, folderConfig: { schema: 'gold', materialized: 'table', tags: ['folder'], '+enabled': true } }] };
    const node = compileProject(withFolder).nodes[0]!;
    expect(node.config).toEqual({
      materialized: 'incremental',
      schema: 'gold',
      alias: 'm_alias',
      tags: ['folder', 'yaml', 'file'],
      enabled: true,
      uniqueKey: ['a', 'b'],
      indexes: [],
      pii: true,
    });
  });

  it('gives defaults for what nobody set', () => {
    expect(resolve('sql', { schema: 'silver' })).toEqual({
      config: { materialized: 'view', schema: 'silver', tags: [], enabled: true, indexes: [], pii: false },
      errors: [],
    });
    expect(resolve('seed', { schema: 'bronze', column_types: { id: 'int' } }).config.materialized).toBe('seed');
  });
});

describe('config validation', () => {
  it('rejects an unknown key, suggesting the closest known one, at the layer that set it', () => {
    expect(resolve('sql', { schema: 'gold' }, { uniqe_key: 'id' }).errors).toEqual([
      "model m (layer1.yml:2): unknown config key 'uniqe_key'; did you mean 'unique_key'?",
    ]);
    expect(resolve('sql', { schema: 'gold', 'post-hook': 'grant …' }).errors).toEqual([
      "model m (layer0.yml:1): unknown config key 'post-hook'",
    ]);
  });

  it('accepts and ignores the dbt keys that change nothing here', () => {
    const { errors } = resolve('sql', { schema: 'gold', meta: { owner: 'x' }, docs: { show: true }, persist_docs: {}, quote_columns: false, on_schema_change: 'fail' });
    expect(errors).toEqual([]);
  });

  it('checks materializations and their required settings', () => {
    expect(resolve('sql', { schema: 'g', materialized: 'tabel' }).errors).toEqual([
      "model m (layer0.yml:1): config materialized must be one of view, table, materialized_view, incremental, snapshot, ephemeral, got 'tabel'; did you mean 'table'?",
    ]);
    expect(resolve('sql', { schema: 'g', materialized: 'snapshot' }).errors).toEqual([
      'model m (layer0.yml:1): a snapshot needs unique_key',
      "model m (layer0.yml:1): a snapshot needs strategy: 'timestamp' or 'check'",
    ]);
    expect(resolve('sql', { schema: 'g', materialized: 'snapshot', unique_key: 'id', strategy: 'timestamp' }).errors).toEqual([
      'model m (layer0.yml:1): snapshot strategy timestamp needs updated_at',
    ]);
    expect(resolve('sql', { schema: 'g', materialized: 'incremental', incremental_strategy: 'merge' }).errors).toEqual([
      'model m (layer0.yml:1): incremental_strategy merge needs unique_key',
    ]);
    expect(resolve('sql', { schema: 'g', materialized: 'incremental', incremental_strategy: 'upsert' }).errors).toEqual([
      "model m (layer0.yml:1): config incremental_strategy must be one of append, delete+insert, merge, got 'upsert'",
    ]);
  });

  it('reads snapshots, indexes and dbt’s invalidate_hard_deletes', () => {
    const { config, errors } = resolve('sql', {
      schema: 'gold', materialized: 'snapshot', unique_key: 'customer_id', strategy: 'check', check_cols: 'all',
      invalidate_hard_deletes: true, indexes: [{ columns: ['customer_id'], unique: true }, { columns: ['segment'], type: 'hash' }],
    });
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      uniqueKey: ['customer_id'], strategy: 'check', checkCols: 'all', hardDeletes: 'invalidate',
      indexes: [{ columns: ['customer_id'], unique: true }, { columns: ['segment'], type: 'hash' }],
    });
    expect(resolve('sql', { schema: 'g', indexes: [{ column: 'x' }] }).errors).toEqual([
      'model m (layer0.yml:1): config indexes must be a list of {columns: [...], unique: bool, type: text, where: text}',
    ]);
  });

  it('checks value types and seed-only keys', () => {
    expect(resolve('sql', { schema: 'g', pii: 'yes', enabled: 1, column_types: { a: 'int' } }).errors).toEqual([
      'model m (layer0.yml:1): config column_types applies to seeds only',
      'model m (layer0.yml:1): config enabled must be true or false, got 1',
      'model m (layer0.yml:1): config pii must be true or false, got "yes"',
    ]);
    expect(resolve('sql', {}).errors).toEqual(['model m (layer0.yml:1): has no schema (layer); set config schema']);
  });
});

describe('sql_header (dbt\'s: SQL run before the model\'s statements)', () => {
  it('keeps it for SQL models and refuses it for seeds and TypeScript models, naming where', () => {
    expect(resolve('sql', { schema: 'silver', sql_header: 'set local random_page_cost = 1.1' })).toMatchObject({
      config: { sqlHeader: 'set local random_page_cost = 1.1' }, errors: [],
    });
    expect(resolve('sql', { schema: 'silver' }).config.sqlHeader).toBeUndefined();
    for (const kind of ['seed', 'ts'] as const) {
      const { errors, config } = resolve(kind, { schema: 'bronze' }, { sql_header: 'set local work_mem = 1' });
      expect(errors).toEqual(['model m (layer1.yml:2): config sql_header applies to SQL models only']);
      expect(config.sqlHeader).toBeUndefined();
    }
  });
});

describe('distributed_by (docs/scale-out.md)', () => {
  it('keeps a column, and local is the default', () => {
    expect(resolve('sql', { schema: 'gold', materialized: 'table', distributed_by: 'customer_id' })).toMatchObject({ config: { distributedBy: 'customer_id' }, errors: [] });
    expect(resolve('sql', { schema: 'gold', materialized: 'table', distributed_by: 'local' }).config.distributedBy).toBeUndefined();
    expect(resolve('sql', { schema: 'gold', materialized: 'table' }).config.distributedBy).toBeUndefined();
  });

  it('keeps reference for stored tables (seeds, tables, TypeScript models) and refuses it for row versions and views, naming where', () => {
    expect(resolve('seed', { schema: 'bronze' }, { distributed_by: 'reference' })).toMatchObject({ config: { reference: true }, errors: [] });
    expect(resolve('sql', { schema: 'gold', materialized: 'table', distributed_by: 'reference' }).config).toMatchObject({ reference: true });
    expect(resolve('ts', { schema: 'gold', distributed_by: 'reference' }).errors).toEqual([]);
    expect(resolve('sql', { schema: 'gold', materialized: 'table', distributed_by: 'reference' }).config.distributedBy).toBeUndefined();
    for (const materialized of ['incremental', 'view']) {
      const { errors, config } = resolve('sql', { schema: 'gold', materialized }, { distributed_by: 'reference' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/layer1\.yml:2/);
      expect(errors[0]).toMatch(new RegExp(`reference applies to stored tables .* not to materialized '${materialized}'`));
      expect(config.reference).toBeUndefined();
    }
  });

  it('refuses a unique index without the distribution column (Citus checks uniqueness per shard)', () => {
    const { errors } = resolve('sql', {
      schema: 'gold', materialized: 'table', distributed_by: 'customer_id',
      indexes: [{ columns: ['customer_id'], unique: true }, { columns: ['rank'], unique: true }, { columns: ['segment'] }],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/model m \(layer0\.yml:1\): a unique index on \(rank\) without the distribution column customer_id/);
  });

  it('refuses an incremental key or snapshot key without the distribution column, not an append', () => {
    const keyed = resolve('sql', { schema: 'silver', materialized: 'incremental', unique_key: 'invoice_no', distributed_by: 'customer_id' });
    expect(keyed.errors).toHaveLength(1);
    expect(keyed.errors[0]).toMatch(/distributed_by customer_id must be one of the unique_key columns \(invoice_no\)/);
    const snapshot = resolve('sql', { schema: 'gold', materialized: 'snapshot', unique_key: 'id', strategy: 'check', check_cols: 'all', distributed_by: 'customer_id' });
    expect(snapshot.errors).toHaveLength(1);
    expect(resolve('sql', { schema: 'gold', materialized: 'incremental', distributed_by: 'customer_id' }).errors).toEqual([]);
    expect(resolve('sql', { schema: 'silver', materialized: 'incremental', unique_key: ['customer_id', 'day'], distributed_by: 'customer_id' }).errors).toEqual([]);
  });

  it('must name a column', () => {
    expect(resolve('sql', { schema: 'gold', materialized: 'table', distributed_by: 'customer id; drop' }).errors[0]).toMatch(/must be a column name, reference, or local/);
  });
});
