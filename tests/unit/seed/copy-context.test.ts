import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCopyContext } from '../../../scripts/execute/seed/copy-error.ts';
import { stripBom } from '../../../scripts/execute/seed/strip-bom.ts';

describe('parseCopyContext', () => {
  it('reads line, column and value', () => {
    expect(parseCopyContext('COPY rfm_rules, line 12, column min_score: "a,b"')).toEqual({ line: 12, column: 'min_score', value: 'a,b' });
    expect(parseCopyContext('COPY t, line 4: "2,ok,3,4"')).toEqual({ line: 4, value: '2,ok,3,4' });
    expect(parseCopyContext('SQL statement "select 1"')).toBeUndefined();
    expect(parseCopyContext(undefined)).toBeUndefined();
  });
});

describe('stripBom', () => {
  const through = async (chunks: readonly number[][]): Promise<number[]> => {
    const out: Buffer[] = [];
    for await (const c of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(stripBom())) out.push(c as Buffer);
    return [...Buffer.concat(out)];
  };

  it('drops a mark even when chunks split it, and nothing else', async () => {
    expect(await through([[0xef], [0xbb, 0xbf, 0x61], [0x62]])).toEqual([0x61, 0x62]);
    expect(await through([[0x61, 0xef, 0xbb, 0xbf]])).toEqual([0x61, 0xef, 0xbb, 0xbf]);
    expect(await through([[0x61]])).toEqual([0x61]);
    expect(await through([])).toEqual([]);
  });
});
