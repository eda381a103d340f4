import { describe, expect, it } from 'vitest';
import { StrataError, UsageError } from '../../../scripts/core/errors.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { simulateBgnbd } from '../../../scripts/clv/simulate.ts';
import type { ModelName } from '../../../scripts/clv/types.ts';

describe('fitModel', () => {
  it('recovers the parameters that generated the data', () => {
    const truth = { r: 0.8, alpha: 6, a: 0.9, b: 3 };
    const rows = simulateBgnbd(truth, { customers: 20000, seed: 42, minT: 26, maxT: 52, resolution: 0 });
    const fit = fitModel('bgnbd', rows);
    for (const [name, value] of Object.entries(truth)) {
      expect(Math.abs(fit.params[name]! - value)).toBeLessThan(4 * fit.standardErrors[name]!);
    }
  });

  it('fits distinct rows with counts exactly as it fits one row per customer', () => {
    const options = { customers: 3000, seed: 1, minT: 20, maxT: 40, resolution: 1 };
    const rows = simulateBgnbd({ r: 0.5, alpha: 5, a: 0.8, b: 2.5 }, options);
    const counted = new Map<string, { x: number; tx: number; T: number; count: number }>();
    for (const row of rows) {
      const key = `${row.x}|${row.tx}|${row.T}`;
      const group = counted.get(key) ?? { ...row, count: 0 };
      group.count++;
      counted.set(key, group);
    }
    const perCustomer = fitModel('bgnbd', rows);
    const perCombination = fitModel('bgnbd', [...counted.values()].reverse());
    expect(perCombination.customers).toBe(3000);
    expect(perCombination.distinctRows).toBe(counted.size);
    expect(perCombination.logLikelihood).toBe(perCustomer.logLikelihood);
    expect(perCombination.params).toEqual(perCustomer.params);
  });

  it('refuses to fit with too few repeat customers', () => {
    const rows = [{ x: 1, tx: 2, T: 3 }, ...Array.from({ length: 100 }, () => ({ x: 0, tx: 0, T: 3 }))];
    expect(() => fitModel('bgnbd', rows)).toThrow(StrataError);
    expect(() => fitModel('bgnbd', rows)).toThrow(
      'bgnbd fit: too few repeat customers (1 with frequency > 0; at least 10 are needed to fit the model)',
    );
  });

  it('says so when the data cannot identify the model', () => {
    // every customer buys 5 times and is seen buying at the very end: nobody ever drops out
    const rows = Array.from({ length: 50 }, () => ({ x: 5, tx: 30, T: 30 }));
    expect(() => fitModel('bgnbd', rows)).toThrow(/bgnbd fit did not converge: a ran off towards 0; these data cannot identify the model/);
    const sameSpend = Array.from({ length: 50 }, (_, i) => ({ x: 1 + (i % 4), tx: 0, T: 0, monetary: 10 }));
    expect(() => fitModel('gammagamma', sameSpend)).toThrow(/gammagamma fit did not converge/);
  });

  it('names the row it cannot use and the model it does not know', () => {
    expect(() => fitModel('bgnbd', [{ x: 1, tx: 5, T: 3 }])).toThrow(
      'bgnbd fit: summary row 1: recency must be between 0 and T (3), got 5',
    );
    expect(() => fitModel('nbd' as ModelName, [])).toThrow(UsageError);
  });
});
