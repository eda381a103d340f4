import { describe, expect, it } from 'vitest';
import { fitModel } from '../../../scripts/clv/fit.ts';
import { gammaGammaExpectedSpend, spendFrequencyCorrelation } from '../../../scripts/clv/gamma-gamma.ts';
import { aggregateSummary } from '../../../scripts/clv/summary.ts';
import type { GammaGammaParams, SummaryRow } from '../../../scripts/clv/types.ts';
import { cdnowSpendFromTransactions, cdnowWithSpend, rounded } from './cdnow.ts';

const fromFile = fitModel('gammagamma', cdnowWithSpend());
const fromTransactions = fitModel('gammagamma', cdnowSpendFromTransactions());

describe('Gamma-Gamma on CDNOW repeat customers', () => {
  it('uses only the 946 customers with a repeat purchase', () => {
    expect(fromFile.customers).toBe(946);
    expect(fromTransactions.customers).toBe(946);
  });

  it('reproduces Fader & Hardie (2013) to 2 decimals from full-precision spend', () => {
    // p = 6.25, q = 3.74, v = 15.44 (brucehardie.com note 025), fitted to zbar rebuilt from
    // CDNOW_sample.txt at full precision, as the note's spreadsheet has it
    expect(fromTransactions.converged).toBe(true);
    expect(rounded(fromTransactions.params.p!, 2)).toBe(6.25);
    expect(rounded(fromTransactions.params.q!, 2)).toBe(3.74);
    expect(rounded(fromTransactions.params.v!, 2)).toBe(15.44);
  });

  it('lands within 0.01 of the note on the summary file, whose zbar is rounded to cents', () => {
    // the file gives v = 15.448 (rounds to 15.45): rounding 946 means to cents moves v by
    // 0.004, a thousandth of its standard error (~4.2). p and q still match to 2 decimals.
    expect(rounded(fromFile.params.p!, 2)).toBe(6.25);
    expect(rounded(fromFile.params.q!, 2)).toBe(3.74);
    expect(Math.abs(fromFile.params.v! - 15.44)).toBeLessThan(0.01);
  });

  it("predicts the first ten customers' spend as Hardie's spreadsheet does", () => {
    // lifetimes tests/test_estimation.py, test_conditional_expected_average_profit: "from Hardie
    // spreadsheet http://brucehardie.com/notes/025/" (values printed to cents); the x = 0
    // customers get the population mean p·v/(q − 1) = 35.17
    const expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    const params = fromTransactions.params as unknown as GammaGammaParams;
    cdnowWithSpend()
      .slice(0, 10)
      .forEach((customer, i) => {
        expect(Math.abs(gammaGammaExpectedSpend(params, customer) - expected[i]!)).toBeLessThanOrEqual(0.01);
      });
  });

  it('shrinks a repeat customer towards the population mean, less so the more she bought', () => {
    const params = fromFile.params as unknown as GammaGammaParams;
    const population = (params.p * params.v) / (params.q - 1);
    const few = gammaGammaExpectedSpend(params, { x: 1, monetary: 100 });
    const many = gammaGammaExpectedSpend(params, { x: 20, monetary: 100 });
    expect(few).toBeGreaterThan(population);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
  });

  it('measures the spend-frequency correlation and does not warn at 0.11', () => {
    // README of the data set: corr(x, zbar) = 0.1139 over the 946 repeaters
    const rows = aggregateSummary(cdnowWithSpend(), 'spend');
    expect(spendFrequencyCorrelation(rows)).toBeCloseTo(0.1139, 4);
    expect(fromFile.warnings).toEqual([]);
  });

  it('warns when spend grows with frequency', () => {
    const correlated: SummaryRow[] = Array.from({ length: 200 }, (_, i) => {
      const x = 1 + (i % 10);
      return { x, tx: 0, T: 0, monetary: 10 * x + (i % 7) * 3 };
    });
    const fit = fitModel('gammagamma', correlated);
    expect(fit.warnings.join('\n')).toMatch(/spend and frequency are correlated \(r = 0\.9\d\d\)/);
  });
});
