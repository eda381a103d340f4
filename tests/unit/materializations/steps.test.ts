import { describe, expect, it } from 'vitest';
import { CompileError } from '../../../scripts/core/errors.ts';
import type { NodeConfig, PlannedNode } from '../../../scripts/core/types.ts';
import { stepsFor } from '../../../scripts/execute/materializations/index.ts';
import { strategyOf } from '../../../scripts/execute/materializations/incremental-strategies.ts';
import { goldenCase } from '../../golden/materializations/cases.ts';
import { flattenSteps } from '../../golden/materializations/render.ts';

const base = goldenCase('incremental_merge').planned;
const withConfig = (config: Partial<NodeConfig>, p: PlannedNode = base): PlannedNode => ({
  ...p, node: { ...p.node, config: { ...p.node.config, ...config } },
});
const sqlOf = (p: PlannedNode, columns: readonly string[] = ['customer_id', 'amount']) =>
  flattenSteps(stepsFor(p), columns).map((s) => s.sql);

describe('stepsFor', () => {
  it('has nothing to run for TS models, seeds and ephemeral models', () => {
    const { sql: _sql, lineMap: _lineMap, sqlIncremental: _incremental, lineMapIncremental: _incrementalMap, module: _module, ...common } = base.node;
    expect(stepsFor({ ...base, node: { ...common, resourceType: 'model', language: 'ts', module: '/p/models/gold/x.ts' } })).toEqual([]);
    expect(stepsFor(withConfig({ materialized: 'ephemeral' }))).toEqual([]);
    const seed = withConfig({ materialized: 'seed' });
    expect(stepsFor({ ...seed, node: { ...common, config: seed.node.config, resourceType: 'seed', language: 'csv' } })).toEqual([]);
  });

  it('distributed_by: on Citus a table is created empty, distributed, then filled; on plain PostgreSQL in one create table … as; incremental rows are staged co-located', () => {
    const table = withConfig({ distributedBy: 'customer_id' }, { ...goldenCase('table_with_indexes').planned, sql: 'select 1 as customer_id' });
    const [first] = stepsFor(table);
    if (first?.kind !== 'by-engine') throw new Error(`expected a by-engine step, got ${first?.kind}`);
    expect(first.citus).toEqual([
      expect.objectContaining({ kind: 'sql', sql: 'create table "gold__b000001"."customers" as\nselect 1 as customer_id\nwith no data' }),
      { kind: 'distribute', label: 'distribute by customer_id', of: { schema: 'gold__b000001', name: 'customers' }, column: 'customer_id' },
      expect.objectContaining({ kind: 'sql', sql: 'insert into "gold__b000001"."customers"\nselect 1 as customer_id', countsRows: true }),
    ]);
    // the query of a create table … as may run with parallel workers; that of an insert … select never does
    expect(first.plain).toEqual([
      expect.objectContaining({ kind: 'sql', sql: 'create table "gold__b000001"."customers" as\nselect 1 as customer_id', countsRows: true }),
    ]);
    const merged = sqlOf(withConfig({ distributedBy: 'customer_id' }));
    // no temporary table: Citus cannot join one to a distributed table in NOT EXISTS
    expect(merged.join('\n')).not.toContain('pg_temp');
    const staged = stepsFor(withConfig({ distributedBy: 'customer_id' })).filter((s) => s.kind === 'by-engine');
    expect(staged).toHaveLength(1);
    expect(staged.flatMap((s) => (s.kind === 'by-engine' ? s.citus : [])).filter((s) => s.kind === 'distribute')).toHaveLength(1);
    expect(staged.flatMap((s) => (s.kind === 'by-engine' ? s.plain : [])).map((s) => s.kind)).toEqual(['sql']);
  });

  it('strips a trailing semicolon from the model', () => {
    const p = { ...goldenCase('table_with_indexes').planned, sql: 'select 1 as x;\n' };
    expect(sqlOf(p)[0]).toBe('create table "gold__b000001"."customers" as\nselect 1 as x');
  });

  it('defaults to delete+insert with a unique key and append without one', () => {
    expect(strategyOf(withConfig({ incrementalStrategy: undefined }))).toBe('delete+insert');
    expect(strategyOf(withConfig({ incrementalStrategy: undefined, uniqueKey: [] }))).toBe('append');
    expect(strategyOf(withConfig({ incrementalStrategy: undefined, uniqueKey: undefined }))).toBe('append');
  });

  it('matches composite keys and does nothing on match when every column is a key', () => {
    const sql = sqlOf(withConfig({ uniqueKey: ['customer_id', 'amount'] }));
    const part = `"strata_store"."${base.previous!.partition.name}"`;
    // MERGE's `when matched then do nothing`: only keys without a current version get one
    expect(sql).toContain(
      `insert into ${part} ("customer_id", "amount", _strata_gen, _strata_from)\nselect s."customer_id", s."amount", 1, 2\n` +
        `from "pg_temp"."__strata_new_customers" as s\nwhere not exists (select 1 from ${part} as t ` +
        'where t."customer_id" = s."customer_id" and t."amount" = s."amount" and t._strata_to is null)',
    );
    expect(sql.join('\n')).not.toContain('with matched');
  });

  it('refuses merge and delete+insert without a unique key, naming the model', () => {
    expect(() => sqlOf(withConfig({ uniqueKey: [] }))).toThrow(CompileError);
    expect(() => sqlOf(withConfig({ uniqueKey: [] }))).toThrow(/model customers: incremental_strategy merge needs a unique_key/);
    expect(() => sqlOf(withConfig({ uniqueKey: undefined, incrementalStrategy: 'delete+insert' }))).toThrow(/delete\+insert needs a unique_key/);
  });

  it('refuses snapshots without the settings their strategy needs', () => {
    const snap = goldenCase('snapshot_timestamp').planned;
    expect(() => stepsFor(withConfig({ updatedAt: undefined }, snap))).toThrow(/timestamp needs updated_at/);
    expect(() => stepsFor(withConfig({ strategy: 'check', checkCols: [] }, snap))).toThrow(/check needs check_cols/);
    expect(() => stepsFor(withConfig({ strategy: undefined }, snap))).toThrow(/strategy: timestamp or check/);
    expect(() => stepsFor(withConfig({ uniqueKey: undefined }, snap))).toThrow(/a snapshot needs a unique_key/);
  });

  it('check_cols all compares every non-key column', () => {
    const snap = withConfig({ strategy: 'check', checkCols: 'all' }, goldenCase('snapshot_check_invalidate').planned);
    const close = sqlOf(snap, ['customer_id', 'amount', 'updated_at']).find((q) => q.startsWith('with closed'))!;
    expect(close).toContain('and (t."amount" is distinct from s."amount" or t."updated_at" is distinct from s."updated_at")');
  });

  it('cuts long temp table names to 63 characters', () => {
    const long = 'x'.repeat(70);
    const p = { ...base, node: { ...base.node, name: long } };
    expect(sqlOf(p).find((q) => q.startsWith('create temp table'))).toContain(`"pg_temp"."__strata_new_${'x'.repeat(50)}" as`);
  });
});
