import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import { inlineEphemerals, leadingWith } from '../../../scripts/compile/ephemeral.ts';
import { makeProject } from './project.ts';

describe('inlineEphemerals', () => {
  const part = { name: 'valid', sql: 'select * from t where ok;\n' };

  it('prepends a with list to a model that has none', () => {
    const out = inlineEphemerals('select *\nfrom __strata_ephemeral__valid', [1, 2], [part], 2);
    expect(out.sql).toBe('with __strata_ephemeral__valid as (\nselect * from t where ok\n)\nselect *\nfrom __strata_ephemeral__valid');
    expect(out.lineMap).toEqual([2, 2, 2, 1, 2]);
  });

  it("joins the model's own with list, after leading comments", () => {
    const sql = '-- totals\n/* x */ with totals as (\n  select 1\n)\nselect * from totals';
    const out = inlineEphemerals(sql, [1, 2, 3, 4, 5], [part], 3);
    expect(out.sql).toBe(
      'with __strata_ephemeral__valid as (\nselect * from t where ok\n),\n-- totals\n/* x */  totals as (\n  select 1\n)\nselect * from totals',
    );
    expect(out.lineMap).toEqual([3, 3, 3, 1, 2, 3, 4, 5]);
  });

  it('keeps with recursive recursive, and keeps line count when the keyword spans lines', () => {
    const sql = 'WITH\nRECURSIVE r as (select 1)\nselect * from r';
    const out = inlineEphemerals(sql, [1, 2, 3], [part], 1);
    expect(out.sql).toBe('with recursive __strata_ephemeral__valid as (\nselect * from t where ok\n),\n\n r as (select 1)\nselect * from r');
    expect(out.lineMap).toHaveLength(out.sql.split('\n').length);
  });

  it('finds only a real leading with', () => {
    expect(leadingWith('select 1')).toBeUndefined();
    expect(leadingWith('  withdrawn as x')).toBeUndefined();
    expect(leadingWith('\n-- c\nwith a as (select 1) select 1')).toEqual({ start: 6, end: 10, recursive: false });
  });
});

describe('ephemeral models in compile', () => {
  const project = makeProject({
    models: {
      'models/bronze/raw.sql': 'select 1 as id, true as ok',
      'models/silver/base.sql': "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('raw') }}",
      'models/silver/valid.sql': "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('base') }} where ok",
      'models/gold/plain.sql': "select count(*)\nfrom {{ ref('valid') }}",
      'models/gold/with_cte.sql': "with a as (\n  select * from {{ ref('valid') }}\n)\nselect * from a",
    },
  });
  const manifest = compileProject(project);
  const node = (name: string) => manifest.nodes.find((n) => n.name === name)!;

  it('inlines nested ephemerals as CTEs, dependencies first', () => {
    expect(node('plain').sql).toBe(
      'with __strata_ephemeral__base as (\nselect * from <<rel:model.raw>>\n),\n' +
        '__strata_ephemeral__valid as (\nselect * from __strata_ephemeral__base where ok\n)\n' +
        'select count(*)\nfrom __strata_ephemeral__valid',
    );
    expect(node('plain').lineMap).toEqual([2, 2, 2, 2, 2, 2, 1, 2]);
  });

  it('merges into a leading with instead of nesting a second one', () => {
    expect(node('with_cte').sql).toBe(
      'with __strata_ephemeral__base as (\nselect * from <<rel:model.raw>>\n),\n' +
        '__strata_ephemeral__valid as (\nselect * from __strata_ephemeral__base where ok\n),\n' +
        ' a as (\n  select * from __strata_ephemeral__valid\n)\nselect * from a',
    );
  });

  it('lists what the inlined SQL reads in dependsOn, ephemeral models included', () => {
    expect(node('plain').dependsOn).toEqual(['model.base', 'model.raw', 'model.valid']);
    expect(manifest.tokens).not.toHaveProperty(['<<rel:model.valid>>']);
    expect(manifest.nodes.map((n) => n.id)).toEqual(['model.raw', 'model.base', 'model.valid', 'model.plain', 'model.with_cte']);
  });
});
