import { describe, expect, it } from 'vitest';
import { predictCombinations } from '../../../scripts/clv/combinations.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { predictClv, predictPAlive, predictPurchases, predictSpend, toPurchaseModel } from '../../../scripts/clv/predict.ts';
import type { GammaGammaParams, PurchaseModelName } from '../../../scripts/clv/types.ts';
import { cdnowSummary } from './cdnow.ts';

const rows = cdnowSummary();
const spend: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('predictions per distinct combination', () => {
  for (const name of ['bgnbd', 'mbgnbd', 'pareto'] as PurchaseModelName[]) {
    it(`${name}: equal predictPAlive, predictPurchases and predictClv to 1e-12 relative`, () => {
      const model = toPurchaseModel(fitModel(name, rows));
      // every CDNOW customer, plus extremes: no repeat, a heavy buyer gone quiet, t_x = T
      const sample = [...rows.slice(0, 400), { x: 0, tx: 0, T: 5 }, { x: 60, tx: 3, T: 38 }, { x: 7, tx: 38, T: 38 }];
      const predictions = predictCombinations(model, sample, {
        timeUnit: 'weeks',
        horizonMonths: 12,
        monthlyDiscountRate: 0.01,
        shortHorizon: 90 / 7,
      });
      let worst = 0;
      for (const [i, p] of predictions.entries()) {
        const row = sample[i]!;
        expect(p.pAlive).toBe(predictPAlive(model, row));
        worst = Math.max(worst, rel(p.expectedShort, predictPurchases(model, row, 90 / 7)));
        const customer = { ...row, monetary: 30 };
        const clv = predictClv(model, spend, customer, { timeUnit: 'weeks' });
        if (clv > 0) worst = Math.max(worst, rel(p.discountedPurchases * predictSpend(spend, customer), clv));
        expect(p.discountedPurchasesIfAlive).toBeGreaterThanOrEqual(p.discountedPurchases);
        if (p.pAlive > 1e-9) worst = Math.max(worst, rel(p.discountedPurchasesIfAlive * p.pAlive, p.discountedPurchases));
      }
      expect(worst).toBeLessThan(1e-12);
    });
  }
});
