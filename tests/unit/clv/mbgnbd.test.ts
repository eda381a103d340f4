import { describe, expect, it } from 'vitest';
import { bgnbdPAlive } from '../../../scripts/clv/bgnbd.ts';
import { fitModel } from '../../../scripts/clv/fit.ts';
import {
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchases,
  mbgnbdPAlive,
} from '../../../scripts/clv/mbgnbd.ts';
import type { BgParams } from '../../../scripts/clv/types.ts';
import { cdnowSummary, rounded } from './cdnow.ts';

const customers = cdnowSummary();
const fit = fitModel('mbgnbd', customers);
const params = fit.params as unknown as BgParams;

describe('MBG/NBD on CDNOW (weeks)', () => {
  it("matches BTYDplus's estimates to 3 decimals", () => {
    // r = 0.525, alpha = 6.183, a = 0.891, b = 1.614: lifetimes tests/test_estimation.py,
    // test_params_out_is_close_to_BTYDplus (values from mplatzer/BTYDplus, decimal=3)
    expect(fit.converged).toBe(true);
    expect(rounded(params.r, 3)).toBe(0.525);
    expect(rounded(params.alpha, 3)).toBe(6.183);
    expect(rounded(params.a, 3)).toBe(0.891);
    expect(rounded(params.b, 3)).toBe(1.614);
  });

  it('does not treat a customer without repeat purchases as certainly alive, unlike BG/NBD', () => {
    const newcomer = { x: 0, tx: 0, T: 38.86 };
    const bgnbd = fitModel('bgnbd', customers).params as unknown as BgParams;
    expect(bgnbdPAlive(bgnbd, newcomer)).toBe(1);
    const p = mbgnbdPAlive(params, newcomer);
    expect(p).toBeLessThan(1);
    expect(p).toBeGreaterThan(0);
  });

  it('stays close to the BG/NBD spreadsheet predictions (the tolerances lifetimes uses)', () => {
    // lifetimes: |E[Y(39) | 2, 30.43, 38.86] - 1.226| < 0.05 and E[X(t)] within rtol 0.05
    const value = mbgnbdConditionalExpectedPurchases(params, { x: 2, tx: 30.43, T: 38.86 }, 39);
    expect(Math.abs(value - 1.226)).toBeLessThan(0.05);
    const times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(Math.abs(mbgnbdExpectedPurchases(params, t) / expected[i]! - 1)).toBeLessThan(0.05);
    });
  });

  it('keeps P(alive) in [0, 1]', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        for (let T = Math.max(tx, 1); T < 100; T += 10) {
          const p = mbgnbdPAlive(params, { x, tx: x === 0 ? 0 : tx, T });
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});
