import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../scripts/core/errors.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The malformed-CSV corpus: each file's exit code (as the load command sets it from the error),
// its message naming the file and (where there is one) the line, and for every file that loads,
// landed + quarantined = its data records: nothing is lost.

const CORPUS = join(import.meta.dirname, 'csv');
const ROOT = join(import.meta.dirname, '..', '..');

interface Loads {
  readonly loaded: number;
  /** file lines of the quarantined records, with their reason */
  readonly quarantined: readonly (readonly [number, string])[];
  /** data records, counted by hand (the header and blank lines are not records) */
  readonly records: number;
  readonly format?: string;
}
interface Refused {
  readonly exit: number;
  /** after `<path>` (and `:<line>` when the message has one) */
  readonly message: RegExp;
  readonly line?: number;
}

const EXPECTED: Readonly<Record<string, Loads | Refused>> = {
  'loose-header.csv': { loaded: 10, quarantined: [], records: 10, format: 'online_retail' },
  'unterminated-quote.csv': { loaded: 9, quarantined: [[7, 'malformed quoting']], records: 10 },
  'unterminated-at-end.csv': { loaded: 2, quarantined: [[4, 'malformed quoting']], records: 3 },
  'latin1.csv': { loaded: 2, quarantined: [[3, 'bad encoding']], records: 3 },
  'wrong-column-count.csv': { loaded: 3, quarantined: [[4, 'wrong column count'], [5, 'wrong column count']], records: 5 },
  'bad-values.csv': { loaded: 1, quarantined: [[2, 'bad number'], [3, 'bad date'], [4, 'bad number']], records: 4 },
  'header-only.csv': { loaded: 0, quarantined: [], records: 0 },
  'blank-lines.csv': { loaded: 3, quarantined: [], records: 3 },
  'stray-quote.csv': { loaded: 2, quarantined: [[3, 'malformed quoting']], records: 3 },
  'bom-crlf.csv': { loaded: 3, quarantined: [], records: 3 },
  'quoted-newline.csv': { loaded: 3, quarantined: [], records: 3 },
  'cr-only.csv': { exit: 1, message: /^: this file uses CR line endings/ },
  'utf16le-bom.csv': { exit: 1, message: /^: this file is UTF-16; save it as UTF-8/ },
  'utf16be-no-bom.csv': { exit: 1, message: /^: this file is UTF-16; save it as UTF-8/ },
  'empty.csv': { exit: 1, message: /^: the file is empty/ },
  'missing-column.csv': { exit: 1, line: 1, message: /needs a column for customer_id .*--map customer_id=<your column>.*--format online_retail/s },
  'semicolons.csv': { exit: 1, line: 1, message: /needs a column for .*--format online_retail/s },
  'truncated.csv.gz': { exit: 1, message: /^: cannot read: unexpected end of file \(recorded as failed batch \d+\)/ },
};

let db: TestDatabase;
let scratch: string;
beforeAll(async () => {
  db = await createTestDatabase('faults_csv');
  await runMigrations(db.pool);
  scratch = await mkdtemp(join(tmpdir(), 'strata-faults-csv-'));
});
afterAll(async () => {
  await db?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function landed(batchId: number): Promise<{ lines: number; quarantine: [number, string][] }> {
  const lines = await db.pool.query('select count(*)::int as n from landing.order_lines where batch_id = $1', [batchId]);
  const bad = await db.pool.query('select source_line::int as line, reason from landing.quarantine where batch_id = $1 order by 1', [batchId]);
  return { lines: lines.rows[0].n, quarantine: bad.rows.map((r) => [r.line, r.reason]) };
}

describe('the malformed-CSV corpus', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${'exit' in expected ? `refused (exit ${expected.exit})` : 'loads, nothing lost'}`, async () => {
      const file = join(CORPUS, name);
      const outcome = await loadFile(db.pool, { file }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('exit' in expected) {
        expect('error' in outcome, `${name} loaded`).toBe(true);
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(StrataError);
        expect((error as StrataError).exitCode).toBe(expected.exit);
        const message = (error as Error).message;
        const where = expected.line === undefined ? file : `${file}:${expected.line}`;
        expect(message.startsWith(where), message).toBe(true);
        expect(message.slice(where.length)).toMatch(expected.message);
        expect(message.length, message).toBeLessThan(700); // a sentence, not the file
        return;
      }
      expect('result' in outcome, String((outcome as { error?: unknown }).error)).toBe(true);
      const result = (outcome as { result: Awaited<ReturnType<typeof loadFile>> }).result;
      const rows = await landed(result.batchId);
      expect(rows.quarantine).toEqual(expected.quarantined);
      expect(rows.lines).toBe(expected.loaded);
      expect(rows.lines + rows.quarantine.length).toBe(expected.records);
      expect(result).toMatchObject({ linesRead: expected.records, linesLoaded: expected.loaded, linesRejected: expected.quarantined.length });
    });
  }

  it('a NUL byte on line 50,001 of 100,001 quarantines that line only, its raw text kept with the byte escaped', async () => {
    const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
    const lines = [header];
    for (let i = 1; i <= 100_000; i++) {
      const description = i === 50_000 ? 'HEART\u0000HOLDER' : 'HEART HOLDER';
      lines.push(`${536_000 + Math.floor(i / 10)},85123A,${description},6,2010-12-01 08:26:00,2.55,17850,United Kingdom`);
    }
    const file = join(scratch, 'nul-byte.csv');
    await writeFile(file, lines.join('\n') + '\n');

    // through the real command: exit 0, and the count it prints
    const { stderr } = await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'cli', 'index.ts'), 'load', file], {
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect(stderr).toMatch(/loaded 99,999 of 100,000 lines from .*nul-byte\.csv as batch (\d+)/);
    const batchId = Number(/as batch (\d+)/.exec(stderr)![1]);
    const rows = await landed(batchId);
    expect(rows).toEqual({ lines: 99_999, quarantine: [[50_001, 'bad encoding']] });
    const kept = await db.pool.query('select raw_text, column_name, value from landing.quarantine where batch_id = $1', [batchId]);
    expect(kept.rows[0]).toEqual({
      raw_text: '541000,85123A,HEART\\x00HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
      column_name: 'Description',
      value: 'HEART\\x00HOLDER',
    });
  });
});
