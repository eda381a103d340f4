import { describe, expect, it } from 'vitest';
import { TestSlots } from '../../../scripts/execute/test-slots.ts';

/** Lets the limit start what it may (p-limit starts a query on a later tick). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A query that ends when told to; `running` counts the started ones not yet ended. */
function queries(slots: TestSlots, n: number): { running: () => number; started: () => number; endOne: () => Promise<void>; all: Promise<unknown> } {
  let running = 0;
  let started = 0;
  const ends: (() => void)[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () =>
      slots.run(
        () =>
          new Promise<void>((resolve) => {
            running++;
            started++;
            ends.push(() => {
              running--;
              resolve();
            });
          }),
      ),
    ),
  );
  return {
    running: () => running,
    started: () => started,
    endOne: async () => {
      ends.shift()!();
      await settle();
    },
    all,
  };
}

describe('test slots that give way to building nodes', () => {
  it('start `threads` queries when no node builds, one fewer per node building, and never none', async () => {
    const slots = new TestSlots(3);
    slots.nodeStarted();
    slots.nodeStarted();
    const q = queries(slots, 6);
    await settle();
    expect(q.running()).toBe(1); // 3 − 2 nodes
    slots.nodeStarted();
    await q.endOne();
    expect(q.running()).toBe(1); // 3 − 3 would be none: at least one
    slots.nodeEnded();
    slots.nodeEnded();
    await settle();
    expect(q.running()).toBe(2); // 3 − 1
    slots.nodeEnded();
    await settle();
    expect(q.running()).toBe(3); // no node building
    while (q.started() < 6 || q.running() > 0) await q.endOne();
    await q.all;
  });

  it('never stops a query that started: a node starting only holds back the next starts', async () => {
    const slots = new TestSlots(2);
    const q = queries(slots, 4);
    await settle();
    expect(q.running()).toBe(2);
    slots.nodeStarted();
    await settle();
    expect(q.running()).toBe(2);
    await q.endOne();
    expect(q.running()).toBe(1); // 2 − 1 node: the freed place is not refilled
    slots.nodeEnded();
    await settle();
    expect(q.running()).toBe(2);
    while (q.started() < 4 || q.running() > 0) await q.endOne();
    await q.all;
  });
});
