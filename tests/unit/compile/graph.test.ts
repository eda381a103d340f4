import { describe, expect, it } from 'vitest';
import { orderGraph } from '../../../scripts/compile/graph.ts';

const deps = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('orderGraph', () => {
  it('puts dependencies first and breaks ties by id', () => {
    const { order, cycles } = orderGraph(['d', 'c', 'b', 'a', 'e'], deps({ d: ['b', 'c'], c: ['a'], b: ['a'], e: [] }));
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(cycles).toEqual([]);
  });

  it('orders by readiness, not only by name', () => {
    expect(orderGraph(['a', 'z'], deps({ a: ['z'] })).order).toEqual(['z', 'a']);
  });

  it('finds each cycle once, starting at its smallest id, and a self reference', () => {
    const { cycles, order } = orderGraph(
      ['a', 'b', 'c', 'x', 'y', 's', 'ok', 'after'],
      deps({ a: ['b'], b: ['c'], c: ['a', 'b'], x: ['y'], y: ['x'], s: ['s'], after: ['a'] }),
    );
    expect(cycles).toEqual([['a', 'b', 'c'], ['s'], ['x', 'y']]);
    expect(order[0]).toBe('ok');
    expect(order).toHaveLength(8);
  });
});
