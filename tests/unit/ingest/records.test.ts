import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter, endsInsideQuotes } from '../../../scripts/ingest/loader/records.ts';

interface Seen {
  readonly line: number;
  readonly fields?: string[];
  readonly raw: string;
  readonly malformed?: string;
}

/** Splits `text` fed in pieces of `piece` characters; returns what the sink saw, by line. */
function split(text: string, piece = text.length || 1): Seen[] {
  const seen: Seen[] = [];
  const splitter = new CsvRecordSplitter({
    record: (fields, line, raw) => seen.push({ line, fields, raw }),
    malformed: (line, raw, detail) => seen.push({ line, raw, malformed: detail }),
  });
  for (let i = 0; i < text.length; i += piece) splitter.push(text.slice(i, i + piece));
  splitter.end();
  return seen.sort((a, b) => a.line - b.line);
}

describe('CsvRecordSplitter', () => {
  it('splits plain lines on commas and numbers them from 1', () => {
    expect(split('a,b,c\n1,2,3\n4,,6\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], raw: 'a,b,c' },
      { line: 2, fields: ['1', '2', '3'], raw: '1,2,3' },
      { line: 3, fields: ['4', '', '6'], raw: '4,,6' },
    ]);
  });

  it('takes CRLF line ends, a missing final line end, and skips blank lines (they still count)', () => {
    expect(split('a,b\r\n\r\nc,d\r\ne,f').map((s) => [s.line, s.fields])).toEqual([
      [1, ['a', 'b']],
      [3, ['c', 'd']],
      [4, ['e', 'f']],
    ]);
  });

  it('reads quoted commas, doubled quotes and line breaks inside quotes; a record keeps its first line', () => {
    const seen = split('h1,h2\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"crlf\r\nkept"\r\n5,end\n');
    expect(seen.map((s) => [s.line, s.fields])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['1', 'a, b']],
      [3, ['2', 'say "hi"']],
      [4, ['3', 'two\nlines']],
      [6, ['4', 'crlf\r\nkept']],
      [8, ['5', 'end']],
    ]);
    expect(seen[3]!.raw).toBe('3,"two\nlines"');
    expect(seen[4]!.raw).toBe('4,"crlf\r\nkept"');
  });

  it('gives the same records whatever the chunk size', () => {
    const text = 'x,y\n1,"a\nb"\r\n2,"c,""d"""\n\n3,plain\n4,"£ and ü"\n';
    const whole = split(text);
    for (const piece of [1, 2, 3, 5, 8]) expect(split(text, piece)).toEqual(whole);
  });

  it('reports bad quoting on its own line and keeps reading the records after it', () => {
    const seen = split('h\n1,"ok"\n2,"bad"x,3\n4,"fine"\n5,b"c\n6,"last"\n');
    expect(seen.map((s) => [s.line, s.fields ?? 'malformed'])).toEqual([
      [1, ['h']],
      [2, ['1', 'ok']],
      [3, 'malformed'],
      [4, ['4', 'fine']],
      [5, 'malformed'],
      [6, ['6', 'last']],
    ]);
    expect(seen[2]!.malformed).toContain('Invalid Closing Quote');
    expect(seen[2]!.malformed).not.toMatch(/line 1/);
    expect(seen[4]!.raw).toBe('5,b"c');
  });

  it('reports a quote left open at the end of the file, from the line it opened on', () => {
    const seen = split('h\n1,ok\n2,"never closed\n3,x\n');
    expect(seen.at(-1)).toEqual({ line: 3, raw: '2,"never closed\n3,x', malformed: 'a quoted field is not closed before the end of the file' });
  });

  it('keeps the header first even when it is quoted', () => {
    const order: number[] = [];
    const splitter = new CsvRecordSplitter({ record: (_f, line) => order.push(line), malformed: () => {} });
    splitter.push('"h1","h2"\n1,2\n"3",4\n5,6\n');
    splitter.end();
    expect(order[0]).toBe(1);
    expect([...order].sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses a line too long to be a CSV line rather than buffering it', () => {
    const splitter = new CsvRecordSplitter({ record: () => {}, malformed: () => {} });
    const long = 'x'.repeat(1024 * 1024);
    expect(() => {
      for (let i = 0; i < 20; i++) splitter.push(long);
    }).toThrow(/line 1 is longer than/);
  });

  it('agrees with csv-parse on random well-formed CSV', () => {
    let state = 12345;
    const random = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '£', '\t', '\\'];
    const field = (): string => {
      let s = '';
      const n = Math.floor(random() * 6);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return /[",\r\n]/.test(s) || random() < 0.1 ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const lines: string[] = [];
    for (let r = 0; r < 400; r++) lines.push(Array.from({ length: 4 }, field).join(','));
    const text = lines.join('\n') + '\n';
    const expected = (parse(text, { relax_column_count: true, record_delimiter: '\n' }) as string[][]).filter(
      (rec) => !(rec.length === 1 && rec[0] === ''),
    );
    for (const piece of [text.length, 64, 7]) {
      const got = split(text, piece);
      expect(got.every((s) => s.malformed === undefined)).toBe(true);
      expect(got.map((s) => s.fields)).toEqual(expected);
    }
  });
});

describe('endsInsideQuotes', () => {
  it('follows RFC 4180: a quote opens a field only at its start', () => {
    expect(endsInsideQuotes('1,"open', false)).toBe(true);
    expect(endsInsideQuotes('1,"closed"', false)).toBe(false);
    expect(endsInsideQuotes('1,"a ""quoted"" word', false)).toBe(true);
    expect(endsInsideQuotes('1,12" ruler', false)).toBe(false);
    expect(endsInsideQuotes('still inside', true)).toBe(true);
    expect(endsInsideQuotes('ends here",2', true)).toBe(false);
    expect(endsInsideQuotes('ends here",2,"again', true)).toBe(true);
  });
});
