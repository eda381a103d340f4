import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../support/scratch.ts';
import { evaluateNaive, bestCandidate, compareModels } from '../../../scripts/clv/holdout.ts';
import { parseHoldout, validateMain } from '../../../scripts/clv/validate-cli.ts';
import { dayNumber, isoDay, readCdnow, readTransactionsCsv, type Purchase } from '../../../scripts/clv/validate/purchases.ts';
import { CustomerDays, inUnits } from '../../../scripts/clv/validate/split.ts';
import { CDNOW_DIR, cdnowMasterFile, cdnowSummary } from './cdnow.ts';

async function collect(purchases: AsyncIterable<Purchase>): Promise<Purchase[]> {
  const out: Purchase[] = [];
  for await (const p of purchases) out.push(p);
  return out;
}

async function cdnowSampleSplit() {
  const days = new CustomerDays();
  for await (const p of readCdnow(`${CDNOW_DIR}/CDNOW_sample.txt`)) days.add(p);
  return days.split(parseHoldout('39w'));
}

describe('reading transactions', () => {
  it('parses days and holdout lengths', () => {
    expect(isoDay(dayNumber('19970930'))).toBe('1997-09-30');
    expect(isoDay(dayNumber('2011-12-09 12:50:00'))).toBe('2011-12-09');
    expect(dayNumber('2011-02-30')).toBeNaN();
    expect(parseHoldout('39w')).toBe(273);
    expect(parseHoldout('90d')).toBe(90);
    expect(parseHoldout('13 weeks')).toBe(91);
    expect(() => parseHoldout('3m')).toThrow(/--holdout must be a number of days or weeks/);
  });

  it('reads CDNOW sample and master files', async () => {
    const sample = await collect(readCdnow(`${CDNOW_DIR}/CDNOW_sample.txt`));
    expect(sample).toHaveLength(6919);
    expect(sample[0]).toEqual({ customer: '00004', day: dayNumber('19970101'), amount: 29.33 });
    const master = await collect(readCdnow(cdnowMasterFile()));
    expect(master).toHaveLength(69_659);
    expect(new Set(master.map((p) => p.customer)).size).toBe(23_570);
  });

  it('reads the Online Retail layout by its rules, and other CSVs by named columns', async () => {
    const dir = scratchDir('clv-validate');
    const retail = join(dir, 'retail.csv.gz');
    writeFileSync(
      retail,
      gzipSync(
        [
          'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
          '536365,85123A,"HEART, WHITE",6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
          'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom',
          '536381,22,X,2,2010-12-01 09:41:00,0,15311,United Kingdom',
          '536382,22,X,2,2010-12-01 09:45:00,1.5,,United Kingdom',
          '536383,22,X,-2,2010-12-01 09:49:00,1.5,15311,United Kingdom',
          '536384,22,X,3,2010-12-02 10:00:00,1.25,15311,United Kingdom',
        ].join('\n'),
      ),
    );
    expect(await collect(readTransactionsCsv(retail))).toEqual([
      { customer: '17850', day: dayNumber('2010-12-01'), amount: 6 * 2.55 },
      { customer: '15311', day: dayNumber('2010-12-02'), amount: 3.75 },
    ]);
    const generic = join(dir, 'orders.csv');
    writeFileSync(generic, 'who,when,value\na,2020-01-05,10\n,2020-01-06,3\nb,2020-01-07,4.5\n');
    expect(await collect(readTransactionsCsv(generic, { customer: 'who', date: 'when', amount: 'value' }))).toEqual([
      { customer: 'a', day: dayNumber('2020-01-05'), amount: 10 },
      { customer: 'b', day: dayNumber('2020-01-07'), amount: 4.5 },
    ]);
    await expect(collect(readTransactionsCsv(generic))).rejects.toThrow(/has no column "customer_id" .*its columns are: who, when, value/);
  });
});

describe('the calibration / holdout split', () => {
  it('rebuilds the published CDNOW summary exactly and counts its 1,882 holdout purchases', async () => {
    const split = await cdnowSampleSplit();
    expect(isoDay(split.periods.calibrationEnd)).toBe('1997-09-30');
    expect(isoDay(split.periods.holdoutStart)).toBe('1997-10-01');
    expect(isoDay(split.periods.holdoutEnd)).toBe('1998-06-30');
    expect(split.customers).toBe(2357);
    expect(split.leftOut).toBe(0);
    expect(split.rows.reduce((n, r) => n + r.actual * r.count, 0)).toBe(1882);
    // the published file, rounded to 2 decimals, as a multiset of (x, t_x, T)
    const key = (x: number, tx: number, T: number) => `${x}|${tx.toFixed(2)}|${T.toFixed(2)}`;
    const published = new Map<string, number>();
    for (const r of cdnowSummary()) published.set(key(r.x, r.tx, r.T), (published.get(key(r.x, r.tx, r.T)) ?? 0) + 1);
    const ours = new Map<string, number>();
    for (const r of inUnits(split.rows, 7)) ours.set(key(r.x, r.tx, r.T), (ours.get(key(r.x, r.tx, r.T)) ?? 0) + r.count);
    expect(ours).toEqual(published);
  });

  it('leaves out customers whose first purchase is on the last calibration day or later', () => {
    const days = new CustomerDays();
    const p = (customer: string, day: number): Purchase => ({ customer, day, amount: 1 });
    for (const purchase of [p('a', 0), p('a', 3), p('a', 3), p('a', 12), p('b', 10), p('c', 11), p('c', 13), p('d', 2), p('d', 14)]) days.add(purchase);
    // data end at day 14; a 4-day holdout is days 11..14, the last calibration day 10
    const split = days.split(4);
    expect(split.periods).toEqual({ firstDay: 0, calibrationEnd: 10, holdoutStart: 11, holdoutEnd: 14 });
    expect(split.leftOut).toBe(2);
    expect([...split.rows].sort((u, v) => u.x - v.x)).toEqual([
      { x: 0, txDays: 0, tDays: 8, actual: 1, count: 1 },
      { x: 1, txDays: 3, tDays: 10, actual: 1, count: 1 },
    ]);
  });
});

describe('models judged on the holdout', () => {
  it('the naive baseline continues the calibration rate x / T', () => {
    const m = evaluateNaive(
      [
        { x: 2, tx: 5, T: 10, actual: 1, count: 3 },
        { x: 0, tx: 0, T: 4, actual: 2, count: 1 },
        { x: 1, tx: 1, T: 5, actual: 0, count: 1 },
      ],
      5,
    );
    // predictions 1 (×3), 0 and 1: errors 0, 2 and 1 over 5 customers
    expect(m.mae).toBeCloseTo(0.6, 15);
    expect(m.predictedTotal).toBe(4);
    expect(m.actualTotal).toBe(5);
    // the rate scores the AUC: three positives tie the negative (½ each), one is below it
    expect(m.auc).toBe(0.375);
  });

  it('on CDNOW: BG/NBD as published, the Pareto/NBD with the lowest MAE, a failing fit kept with its error', async () => {
    const rows = inUnits((await cdnowSampleSplit()).rows, 7);
    const candidates = compareModels(['bgnbd', 'mbgnbd', 'pareto'], rows, 39);
    const bg = candidates[0]!;
    expect(bg.fit!.params['r']!.toFixed(3)).toBe('0.243');
    expect(bg.fit!.logLikelihood.toFixed(1)).toBe('-9582.4');
    expect(bg.metrics!.actualTotal).toBe(1882);
    expect(bg.metrics!.mae).toBeCloseTo(0.7855, 4);
    // BG/NBD: P(alive) = 1 for every customer without a repeat purchase, who mostly do not return
    expect(bg.metrics!.auc).toBeLessThan(0.5);
    expect(candidates[2]!.metrics!.auc).toBeGreaterThan(0.7);
    expect(bestCandidate(candidates)!.model).toBe('pareto');
    const limited = compareModels(['bgnbd'], rows, 39, { maxIterations: 20 });
    expect(limited[0]!.error).toMatch(/bgnbd fit did not converge: no optimum found after 20 iterations/);
    expect(bestCandidate(limited)).toBeUndefined();
  });
});

describe('validate-clv', { timeout: 60_000 }, () => {
  it('prints the holdout table for every model and the naive baseline', async () => {
    let out = '';
    let err = '';
    const code = await validateMain(['--holdout', '39w', '--cdnow', `${CDNOW_DIR}/CDNOW_sample.txt`, '--models', 'bgnbd,mbgnbd'], {
      out: (t) => (out += t),
      err: (t) => (err += t),
    });
    expect(code, err).toBe(0);
    expect(out).toContain('calibration 1997-01-01..1997-09-30, holdout 1997-10-01..1998-06-30 (39.000 weeks)');
    expect(out).toMatch(/\| bgnbd \| -9582\.4 \| 0\.7855 \|/);
    expect(out).toMatch(/\| naive \(x\/T continued\) \| \| 1\.0237 \|/);
    expect(out).not.toContain('pareto');
  });

  it('exits with 2 on bad arguments', async () => {
    const io = { out: () => {}, err: () => {} };
    expect(await validateMain(['--cdnow', 'x'], io)).toBe(2);
    expect(await validateMain(['--holdout', '39w'], io)).toBe(2);
    expect(await validateMain(['--holdout', '39w', '--cdnow', 'x', '--source', 'db'], io)).toBe(2);
    expect(await validateMain(['--holdout', '39w', '--cdnow', 'x', '--unit', 'year'], io)).toBe(2);
    expect(await validateMain(['--holdout', '39w', '--cdnow', 'x', '--models', 'bgnbd,nbd'], io)).toBe(2);
    let err = '';
    expect(await validateMain(['--holdout', '39w', '--cdnow', '/no/such/file'], { out: () => {}, err: (t) => (err += t) })).toBe(1);
    expect(err).toContain('/no/such/file: cannot read the file (ENOENT)');
  });
});
