import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../scripts/core/errors.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import {
  UNITS_PER_MONTH,
  predictClv,
  predictPAlive,
  predictPurchases,
  predictPurchasesNewCustomer,
  predictSpend,
  toPurchaseModel,
} from '../../../scripts/clv/predict.ts';
import type { GammaGammaParams } from '../../../scripts/clv/types.ts';
import { cdnowSummary, cdnowWithSpend } from './cdnow.ts';

const purchases = fitModel('bgnbd', cdnowSummary());
const model = toPurchaseModel(purchases);
const spend = fitModel('gammagamma', cdnowWithSpend()).params as unknown as GammaGammaParams;
const customer1 = cdnowWithSpend()[0]!; // x = 2, t_x = 30.43, T = 38.86, zbar = 22.35

describe('predictions from fitted parameters', () => {
  it('dispatches to the model the fit names', () => {
    expect(model.model).toBe('bgnbd');
    expect(predictPAlive(model, { x: 0, tx: 0, T: 10 })).toBe(1);
    expect(predictPurchases(model, customer1, 39)).toBeCloseTo(1.226, 3);
    expect(predictPurchasesNewCustomer(model, 78)).toBeCloseTo(1.858, 3);
    const pareto = toPurchaseModel(fitModel('pareto', cdnowSummary()));
    expect(predictPAlive(pareto, customer1)).toBeGreaterThan(0);
    expect(predictPAlive(pareto, customer1)).toBeLessThan(1);
  });

  it('values the next 12 months: without discounting, purchases in a year times order value', () => {
    const expectedSpend = predictSpend(spend, customer1);
    const undiscounted = predictClv(model, spend, customer1, { timeUnit: 'weeks', monthlyDiscountRate: 0 });
    const yearInWeeks = 12 * UNITS_PER_MONTH.weeks;
    expect(undiscounted).toBeCloseTo(predictPurchases(model, customer1, yearInWeeks) * expectedSpend, 10);
    const discounted = predictClv(model, spend, customer1, { timeUnit: 'weeks' });
    expect(discounted).toBeLessThan(undiscounted);
    expect(discounted).toBeGreaterThan(undiscounted / 1.01 ** 12);
    expect(predictClv(model, spend, customer1, { timeUnit: 'weeks', horizonMonths: 0 })).toBe(0);
  });

  it('discounts month by month: one month is that month’s purchases over (1 + d)', () => {
    const oneMonth = predictClv(model, spend, customer1, {
      timeUnit: 'weeks',
      horizonMonths: 1,
      monthlyDiscountRate: 0.05,
    });
    const purchasesInMonth = predictPurchases(model, customer1, UNITS_PER_MONTH.weeks);
    expect(oneMonth).toBeCloseTo((purchasesInMonth * predictSpend(spend, customer1)) / 1.05, 12);
  });

  it('rejects parameters it cannot use, and says which prediction failed for whom', () => {
    expect(() => toPurchaseModel({ model: 'gammagamma', params: {} })).toThrow(/spend model/);
    expect(() => toPurchaseModel({ model: 'pareto', params: { r: 1, alpha: 1, s: 1 } })).toThrow(
      'pareto parameters: "beta" must be a positive number, got undefined',
    );
    const broken = { model: 'bgnbd', params: { r: 0.2, alpha: NaN, a: 0.8, b: 2.4 } } as const;
    expect(() => predictPAlive(broken, { x: 2, tx: 1, T: 3 })).toThrow(StrataError);
    expect(() => predictPAlive(broken, { x: 2, tx: 1, T: 3 })).toThrow(
      /P\(alive\) for x=2, t_x=1, T=3 is not a finite number/,
    );
  });
});
