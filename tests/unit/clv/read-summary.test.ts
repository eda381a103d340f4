import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../support/scratch.ts';
import { InputError, UsageError } from '../../../scripts/core/errors.ts';
import { DEFAULT_COLUMNS, parseColumnMap, readSummaryFile } from '../../../scripts/clv/read-summary.ts';
import { aggregateSummary, rowProblem } from '../../../scripts/clv/summary.ts';
import { SUMMARY_CSV, WITH_SPEND_CSV } from './cdnow.ts';

const dir = scratchDir('clv-summary');
function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('aggregating summaries', () => {
  it('counts identical customers once, with their number, ordered by x', () => {
    const rows = aggregateSummary(
      [
        { x: 1, tx: 2, T: 5 },
        { x: 0, tx: 0, T: 5 },
        { x: 1, tx: 2, T: 5, count: 3 },
        { x: 0, tx: 0, T: 4 },
      ],
      'purchase',
    );
    expect(rows).toEqual([
      { x: 0, tx: 0, T: 4, count: 1 },
      { x: 0, tx: 0, T: 5, count: 1 },
      { x: 1, tx: 2, T: 5, count: 4 },
    ]);
  });

  it('keeps only repeat customers, by (x, m), for the spend model', () => {
    const rows = aggregateSummary(
      [
        { x: 0, tx: 0, T: 5, monetary: 0 },
        { x: 2, tx: 3, T: 5, monetary: 10 },
        { x: 2, tx: 1, T: 9, monetary: 10 },
      ],
      'spend',
    );
    expect(rows).toEqual([{ x: 2, tx: 0, T: 0, monetary: 10, count: 2 }]);
  });

  it('names what is wrong with a row', () => {
    expect(rowProblem({ x: 1.5, tx: 0, T: 1 }, 'purchase')).toMatch(/frequency must be a whole number/);
    expect(rowProblem({ x: 1, tx: 3, T: 2 }, 'purchase')).toMatch(/recency must be between 0 and T/);
    expect(rowProblem({ x: 0, tx: 1, T: 2 }, 'purchase')).toMatch(/recency must be 0 when frequency is 0/);
    expect(rowProblem({ x: 2, tx: 0, T: 0, monetary: 0 }, 'spend')).toMatch(/monetary_value must be > 0/);
    expect(rowProblem({ x: 2, tx: 1, T: 2 }, 'purchase')).toBeUndefined();
  });
});

describe('reading a summary CSV', () => {
  it('streams CDNOW into its 1,016 distinct rows', async () => {
    const summary = await readSummaryFile(SUMMARY_CSV, 'purchase', DEFAULT_COLUMNS);
    expect(summary.customers).toBe(2357);
    expect(summary.rows).toHaveLength(1016);
    expect(summary.rows.reduce((n, row) => n + row.count!, 0)).toBe(2357);
  });

  it("reads the file's own column names through --map", async () => {
    const columns = parseColumnMap(['frequency=x,recency=t_x', 'monetary_value=zbar']);
    expect(columns).toEqual({ frequency: 'x', recency: 't_x', T: 'T', monetary_value: 'zbar', id: 'id' });
    const spend = await readSummaryFile(WITH_SPEND_CSV, 'spend', columns);
    expect(spend.customers).toBe(946);
  });

  it('rejects a mapping to a column the file lacks, naming it and the columns there are', async () => {
    const columns = parseColumnMap(['frequency=x', 'monetary_value=spend']);
    const error = await readSummaryFile(WITH_SPEND_CSV, 'spend', columns).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'the summary file has no column "spend" for monetary_value; its columns are: ID, x, t_x, T, zbar',
    );
  });

  it('suggests --map when a default column is missing', async () => {
    const error = await readSummaryFile(WITH_SPEND_CSV, 'purchase', DEFAULT_COLUMNS).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /no column "frequency" for frequency \(name it with --map frequency=<column>\)/,
    );
  });

  it('reports a value that is not a number with file and line', async () => {
    const file = csv('bad-number.csv', 'frequency,recency,T\n1,2,3\n2,,5\n');
    const error = await readSummaryFile(file, 'purchase', DEFAULT_COLUMNS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${file}:3: column "recency": "" is not a number`);
  });

  it('reports an impossible row and a malformed line with file and line', async () => {
    const impossible = csv('impossible.csv', 'frequency,recency,T\n1,2,3\n\n2,9,5\n');
    await expect(readSummaryFile(impossible, 'purchase', DEFAULT_COLUMNS)).rejects.toThrow(
      `${impossible}:4: recency must be between 0 and T (5), got 9`,
    );
    const ragged = csv('ragged.csv', 'frequency,recency,T\n1,2,3\n2,4\n');
    await expect(readSummaryFile(ragged, 'purchase', DEFAULT_COLUMNS)).rejects.toThrow(`${ragged}:3:`);
    await expect(readSummaryFile(join(dir, 'missing.csv'), 'purchase', DEFAULT_COLUMNS)).rejects.toThrow(
      /missing\.csv: cannot read the file \(ENOENT\)/,
    );
  });

  it('rejects --map entries it cannot use', () => {
    expect(() => parseColumnMap(['frequency'])).toThrow(UsageError);
    expect(() => parseColumnMap(['freq=x'])).toThrow(
      '--map: unknown field "freq"; the fields are frequency, recency, T, monetary_value, id',
    );
  });
});
