/**
 * How long a BG/NBD fit takes on CDNOW and on a million customers drawn from the fitted
 * process (numbers recorded in docs/clv.md). Run: npm run bench -- clv-fit [customers]
 */
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { fitModel } from './fit.ts';
import { DEFAULT_COLUMNS, readSummaryFile } from './read-summary.ts';
import { simulateBgnbd } from './simulate.ts';
import { aggregateSummary } from './summary.ts';
import type { BgParams } from './types.ts';

// the copy kept with the tests, so the benchmark runs wherever the repository is checked out
const CDNOW = join(import.meta.dirname, '..', '..', 'tests', 'fixtures', 'cdnow', 'cdnow_customers_summary.csv');

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

/** The fit's timings on CDNOW and on `customers` simulated customers (default a million). */
export async function benchClvFit(customers: number, log: (line: string) => void): Promise<void> {
  if (!Number.isInteger(customers) || customers < 100) throw new UsageError(`bench clv-fit: customers must be a whole number >= 100, got ${customers}`);
  const cdnow = await readSummaryFile(CDNOW, 'purchase', DEFAULT_COLUMNS);
  fitModel('bgnbd', cdnow.rows); // warm-up: the first call also pays for JIT compilation
  const [fit, fitMs] = timed(() => fitModel('bgnbd', cdnow.rows));
  log(
    `CDNOW: ${cdnow.customers} customers, ${fit.distinctRows} distinct rows, BG/NBD fit ${fitMs.toFixed(0)} ms`,
  );
  for (const model of ['mbgnbd', 'pareto'] as const) {
    const [other, ms] = timed(() => fitModel(model, cdnow.rows));
    log(`CDNOW: ${model} fit ${ms.toFixed(0)} ms, ${other.iterations} iterations`);
  }

  const params = fit.params as unknown as BgParams;
  // CDNOW's design: first purchases spread over 12 weeks, observed to week 39; times recorded in
  // whole days, then (coarser, fewer distinct rows) in whole weeks
  for (const [label, resolution] of [['days', 1 / 7], ['weeks', 1]] as const) {
    const [rows, drawMs] = timed(() =>
      simulateBgnbd(params, { customers, seed: 20050101, minT: 27, maxT: 39, resolution }),
    );
    const [distinct, aggregateMs] = timed(() => aggregateSummary(rows, 'purchase'));
    const [big, bigMs] = timed(() => fitModel('bgnbd', distinct));
    log(
      `synthetic, times in whole ${label}: ${customers} customers drawn in ${drawMs.toFixed(0)} ms, ` +
        `${distinct.length} distinct rows (aggregated in ${aggregateMs.toFixed(0)} ms), ` +
        `fit ${bigMs.toFixed(0)} ms, ${big.iterations} iterations`,
    );
    log(
      '  recovered: ' +
        Object.entries(big.params)
          .map(([name, value]) => `${name}=${value.toFixed(4)} (±${big.standardErrors[name]!.toFixed(4)})`)
          .join(', '),
    );
  }
}
