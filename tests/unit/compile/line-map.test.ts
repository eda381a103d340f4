import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import { computeLineMap } from '../../../scripts/compile/line-map.ts';
import { makeProject } from './project.ts';

/** The template line the rendered line holding `needle` maps to. */
function mappedLine(template: string, rendered: string, needle: string): number | undefined {
  const index = rendered.split('\n').findIndex((line) => line.includes(needle));
  return computeLineMap(template, rendered)[index];
}

describe('computeLineMap', () => {
  const template = [
    "{{ config(materialized='table') }}", // 1
    "{% set cols = ['a', 'b', 'c'] %}", // 2
    'select', // 3
    '{% for c in cols %}', // 4
    '    {{ c }}_total,', // 5
    '{% endfor %}', // 6
    '    customer_id', // 7
    "from {{ ref('orders') }}", // 8
    'where amount > {{ var("min") }}', // 9
    '', // 10
    'group by', // 11
    '    customer_id, no_such_column', // 12
  ].join('\n');

  it('maps a line below a multi-line for loop to its own line', () => {
    const rendered = '\n\nselect\n\n    a_total,\n\n    b_total,\n\n    c_total,\n\n    customer_id\nfrom <<rel:model.orders>>\nwhere amount > 5\n\ngroup by\n    customer_id, no_such_column';
    expect(mappedLine(template, rendered, 'no_such_column')).toBe(12);
    expect(mappedLine(template, rendered, '    customer_id')).toBe(7);
    expect(mappedLine(template, rendered, 'where amount')).toBe(9);
    expect(mappedLine(template, rendered, 'from <<rel')).toBe(8);
  });

  it('maps every iteration of a loop body to the body line', () => {
    const rendered = '\n\nselect\n\n    a_total,\n\n    b_total,\n\n    c_total,\n\n    customer_id\nfrom x\nwhere amount > 5\n\ngroup by\n    customer_id, no_such_column';
    const map = computeLineMap(template, rendered);
    const lines = rendered.split('\n');
    expect(lines.map((l, i) => (l.endsWith('_total,') ? map[i] : undefined)).filter(Boolean)).toEqual([5, 5, 5]);
    expect(map).toHaveLength(lines.length);
  });

  it('is exact when nothing is templated', () => {
    expect(computeLineMap('select 1\n\nfrom t\n', 'select 1\n\nfrom t')).toEqual([1, 2, 3]);
  });

  it('maps lines a macro adds to the line that called it', () => {
    expect(computeLineMap('select\n  {{ cols() }}\nfrom t', 'select\n  a,\n  b,\n  c\nfrom t')).toEqual([1, 2, 2, 2, 3]);
  });
});

describe('lineMap of compiled models', () => {
  it('maps the line with the error in a model with a for loop above it to 12', () => {
    const text = [
      "{{ config(materialized='table') }}",
      "{% set methods = ['card', 'coupon', 'gift'] %}",
      'select',
      '    order_id,',
      '{% for m in methods %}',
      "    sum(case when method = '{{ m }}' then amount end) as {{ m }}_amount,",
      '{% endfor %}',
      '    sum(amount) as total',
      "from {{ ref('payments') }}",
      'group by',
      '    order_id',
      '    having no_such_column > 0',
    ].join('\n');
    const manifest = compileProject(makeProject({ models: { 'models/gold/orders.sql': text, 'models/gold/payments.sql': 'select 1' } }));
    const node = manifest.nodes.find((n) => n.name === 'orders')!;
    const lines = node.sql!.split('\n');
    const at = lines.findIndex((l) => l.includes('no_such_column'));
    expect(at).toBeGreaterThan(11);
    expect(node.lineMap![at]).toBe(12);
    expect(node.lineMap).toHaveLength(lines.length);
  });
});
