import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import { compileErrors, makeProject } from './project.ts';

function sqlOf(text: string, extra: Parameters<typeof makeProject>[0] = {}): string {
  const manifest = compileProject(makeProject({ ...extra, models: { 'models/silver/m.sql': text, 'models/silver/other.sql': 'select 1', ...(extra.models ?? {}) } }));
  return manifest.nodes.find((n) => n.name === 'm')!.sql!;
}

describe('rendering', () => {
  it("renders ref, ref(package, name), source and this as relation tokens, and target as the node's layer", () => {
    expect(sqlOf("{{ ref('other') }} {{ ref('pkg', 'other') }} {{ this }} {{ this.name }} {{ target.schema }} {{ target.name }}"))
      .toBe('<<rel:model.other>> <<rel:model.other>> <<rel:this>> m silver default');
    expect(sqlOf("{{ source('shop', 'orders') }}", { sources: [{ source: 'shop', name: 'orders' }] })).toBe('<<rel:source.shop.orders>>');
  });

  it('runs the Jinja dbt projects are written in: set, for, if, filters, comments, dict items, literals', () => {
    const text = [
      "{# a comment #}{% set cols = {'a': 1, 'b': 2} %}",
      "{% for k, v in cols.items() %}{{ k | upper }}={{ v }}{% if not loop.last %}, {% endif %}{% endfor %}",
      "{{ ['x', 'y'] | join(' || ') }} {{ \"lit\" }} {{ 'a' ~ 'b' }} {{ none is none }} {{ True }}",
    ].join('\n');
    expect(sqlOf(text)).toBe('\nA=1, B=2\nx || y lit ab true true');
  });

  it('makes every macro callable from models and from other macros', () => {
    const macros = {
      'macros/money.sql': '{% macro cents(c) %}({{ c }} / 100.0){% endmacro %}',
      'macros/sum.sql': '{% macro sum_cents(c, alias) %}sum({{ cents(c) }}) as {{ alias }}{% endmacro %}',
    };
    expect(sqlOf("select {{ sum_cents('amount', alias='total') }}", { macros })).toBe('select sum((amount / 100.0)) as total');
  });

  it('collects config() keyword arguments and renders it as nothing', () => {
    const manifest = compileProject(makeProject({ models: { 'models/silver/m.sql': "{{ config(materialized='table', tags=['a']) }}select 1" } }));
    expect(manifest.nodes[0]!.sql).toBe('select 1');
    expect(manifest.nodes[0]!.config).toMatchObject({ materialized: 'table', tags: ['a'] });
  });

  it('raises exceptions.raise_compiler_error as a compile error at its line', () => {
    const errors = compileErrors(makeProject({ models: { 'models/silver/m.sql': "select 1\n{{ exceptions.raise_compiler_error('grain must be customer') }}" } }));
    expect(errors.map((e) => `${e.location?.line} ${e.detail}`)).toEqual(['2 template error: grain must be customer']);
  });

  it('rejects a macro defined twice or named like a built-in', () => {
    const errors = compileErrors(makeProject({
      models: { 'models/silver/m.sql': 'select 1' },
      macros: {
        'macros/a.sql': '{% macro cents(c) %}{% endmacro %}',
        'macros/b.sql': '\n{% macro cents(c) %}{% endmacro %}\n{% macro ref(x) %}{% endmacro %}',
      },
    }));
    expect(errors.map((e) => e.message)).toEqual([
      "macros/b.sql:2: macro 'cents' is also defined in macros/a.sql",
      "macros/b.sql:3: macro 'ref' has the name of a built-in; rename it",
    ]);
  });

  it('removes a trailing semicolon so the select can be wrapped', () => {
    expect(sqlOf('select 1;\n\n')).toBe('select 1');
  });
});
