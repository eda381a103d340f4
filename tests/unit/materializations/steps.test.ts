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
    expect(stepsFor({ ...base, node: { ...base.node, language: 'ts' } })).toEqual([]);
    expect(stepsFor(withConfig({ materialized: 'ephemeral' }))).toEqual([]);
    expect(stepsFor({ ...withConfig({ materialized: 'seed' }), node: { ...base.node, resourceType: 'seed', language: 'csv' } })).toEqual([]);
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
    expect(sql).toContain(
      'merge into "gold__b000002"."customers" as t\nusing "pg_temp"."__strata_new_customers" as s\n' +
        'on t."customer_id" = s."customer_id" and t."amount" = s."amount"\nwhen matched then do nothing\n' +
        'when not matched then insert ("customer_id", "amount") values (s."customer_id", s."amount")',
    );
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
    const close = sqlOf(snap, ['customer_id', 'amount', 'updated_at'])[3]!;
    expect(close).toContain('and (t."amount" is distinct from s."amount" or t."updated_at" is distinct from s."updated_at")');
  });

  it('cuts long temp table names to 63 characters', () => {
    const long = 'x'.repeat(70);
    const p = { ...base, node: { ...base.node, name: long } };
    expect(sqlOf(p).find((sql) => sql.startsWith('create temp table'))).toContain(`"pg_temp"."__strata_new_${'x'.repeat(50)}" as`);
  });
});
