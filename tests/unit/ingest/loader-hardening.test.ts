import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import { checkUrlShape, openDatabase } from '../../../scripts/db/connect.ts';
import { inspectFile } from '../../../scripts/ingest/loader/inspect.ts';
import { isTableLayout } from '../../../scripts/ingest/loader/target.ts';
import { refusedAtFileLine } from '../../../scripts/ingest/loader/land-rows.ts';
import { CsvRecordSplitter } from '../../../scripts/ingest/loader/records.ts';
import { visibleNul } from '../../../scripts/ingest/loader/rows.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const row = (i: number): string => `5363${i},85123A,HEART ${i},6,2010-12-01 08:26:00,2.55,17850,United Kingdom`;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-loader-hardening-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, content);
  return path;
}

function split(text: string): { line: number; fields?: string[]; raw: string; malformed?: string }[] {
  const seen: { line: number; fields?: string[]; raw: string; malformed?: string }[] = [];
  const splitter = new CsvRecordSplitter({
    record: (fields, line, raw) => seen.push({ line, fields, raw }),
    malformed: (line, raw, detail) => seen.push({ line, raw, malformed: detail }),
  });
  splitter.push(text);
  splitter.end();
  return seen.sort((a, b) => a.line - b.line);
}

describe('an unterminated quote mid-file', () => {
  it('quarantines only the line that opened it and reads every line after it', () => {
    const lines = [HEADER, ...[1, 2, 3, 4, 5].map(row), '536370,22086,"OPENS A QUOTE,6,2010-12-01 08:26:00,2.55,17850,UK', ...[7, 8, 9, 10].map(row)];
    const seen = split(lines.join('\n') + '\n');
    expect(seen.map((s) => [s.line, s.malformed ? 'malformed' : s.fields!.length])).toEqual([
      [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [6, 8], [7, 'malformed'], [8, 8], [9, 8], [10, 8], [11, 8],
    ]);
    expect(seen[6]!.raw).toBe(lines[6]);
    expect(seen[6]!.malformed).toContain('reading resumed at line 8');
  });

  it('recovers when a later quote closes it into a record of the wrong width', () => {
    const text = [HEADER, '1,2,"open,4,5,6,7,8', row(1), `9,9,"closed here",9,9,9,9,9`, row(2)].join('\n');
    const seen = split(text);
    expect(seen.map((s) => [s.line, s.malformed ? 'malformed' : s.fields!.length])).toEqual([[1, 8], [2, 'malformed'], [3, 8], [4, 8], [5, 8]]);
  });

  it('still reads a legal line break inside quotes as one record, even when a line inside looks like a record', () => {
    const seen = split(['a,b,c', '1,"first', 'x,y,z', 'last",3', '4,5,6'].join('\n'));
    expect(seen.map((s) => [s.line, s.fields])).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'first\nx,y,z\nlast', '3']],
      [5, ['4', '5', '6']],
    ]);
  });
});

describe('header detection', () => {
  it('detects the Online Retail format whatever the case and spaces of the header names', async () => {
    const path = await file('loose-header.csv', ` invoiceno , STOCKCODE,description,quantity,InvoiceDate ,unitprice,customerid,COUNTRY\n${row(1)}\n`);
    const inspected = await inspectFile({ file: path });
    expect(inspected.layout.format).toBe('online_retail');
    expect(isTableLayout(inspected.layout)).toBe(false);
    if (!isTableLayout(inspected.layout)) expect(inspected.layout.index.customer_id).toBe(6);
  });

  it('names --format in the hint when the detected format does not fit', async () => {
    const path = await file('odd-header.csv', `Invoice,Stock,Description,Quantity,InvoiceDate,UnitPrice,Client,Country\n${row(1)}\n`);
    await expect(inspectFile({ file: path })).rejects.toThrow(/--map customer_id=<your column>.*--format online_retail/s);
  });
});

describe('files that are not UTF-8 text with LF or CRLF line ends', () => {
  it('says a CR-only file uses CR line endings, without dumping it', async () => {
    const path = await file('cr-only.csv', [HEADER, row(1), row(2)].join('\r') + '\r');
    const error = await inspectFile({ file: path }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${path}: this file uses CR line endings`);
    expect((error as Error).message).not.toContain('536');
    expect((error as Error).message.length).toBeLessThan(300);
  });

  it('says a UTF-16 file is UTF-16, with or without a byte-order mark', async () => {
    const text = [HEADER, row(1)].join('\r\n') + '\r\n';
    for (const [name, bytes] of [
      ['utf16le-bom.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
      ['utf16le.csv', Buffer.from(text, 'utf16le')],
    ] as const) {
      const path = await file(name, bytes);
      const error = (await inspectFile({ file: path }).catch((e: Error) => e)) as Error;
      expect(error.message).toContain(`${path}: this file is UTF-16; save it as UTF-8`);
      expect(error.message).not.toContain('\u0000');
    }
  });
});

describe('NUL in quarantined text', () => {
  it('is kept visible as \\x00 (PostgreSQL text cannot hold NUL)', () => {
    expect(visibleNul('A\u0000B\u0000')).toBe('A\\x00B\\x00');
    expect(visibleNul('plain')).toBe('plain');
  });
});

describe('a row the server refuses', () => {
  it('is named by its line in the file, not its row within the COPY', () => {
    const pgError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      severity: 'ERROR',
      where: 'COPY quarantine, line 3',
    });
    const named = refusedAtFileLine(pgError, 'big.csv', { quarantine: [12, 500, 50_001], order_lines: [] }) as Error;
    expect(named.message).toBe('big.csv:50001: PostgreSQL refused this line for landing.quarantine: invalid byte sequence for encoding "UTF8": 0x00');
  });
});

describe('a malformed DATABASE_URL', () => {
  it('is said to be malformed, without repeating it', async () => {
    for (const url of ['not a url', 'postgres//u:s3cret@host/db', 'http://u:s3cret@host/db', 'u:s3cret@host:5432/db']) {
      expect(() => checkUrlShape(url)).toThrow(UsageError);
      const error = (await openDatabase({ projectDir: scratch, databaseUrl: url }).catch((e: Error) => e)) as Error;
      expect(error.message).toMatch(/^DATABASE_URL is not a valid PostgreSQL connection URL/);
      expect(error.message).not.toContain('s3cret');
    }
    for (const url of ['postgresql://u:p@localhost:5432/db', 'postgres://localhost/db', 'postgresql:///db?host=/var/run/postgresql']) {
      expect(() => checkUrlShape(url)).not.toThrow();
    }
  });
});
