import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../scripts/core/errors.ts';
import { inferSeedColumns } from '../../../scripts/execute/seed/infer-columns.ts';
import { classifyValue, widen } from '../../../scripts/execute/seed/infer-type.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function csv(text: string | Buffer): string {
  const file = join(dir, `s${n++}.csv`);
  writeFileSync(file, text);
  return file;
}
const types = async (text: string | Buffer, declared: Record<string, string> = {}) =>
  Object.fromEntries((await inferSeedColumns(csv(text), declared)).map((c) => [c.name, c.type]));

describe('classifyValue and widen', () => {
  it.each([
    ['42', 'bigint'], ['-7', 'bigint'], ['0', 'bigint'], ['99999999999999999999', 'numeric'], ['3.14', 'numeric'],
    ['-0.5', 'numeric'], ['1e3', 'numeric'], ['007', 'text'], ['2024-02-29', 'date'], ['2023-02-29', 'text'],
    ['2024-01-02 10:11:12', 'timestamp'], ['2024-01-02T10:11', 'timestamp'], ['2024-01-02T10:11:12.5Z', 'timestamptz'],
    ['2024-01-02 10:11:12+02:00', 'timestamptz'], ['true', 'boolean'], ['FALSE', 'boolean'], ['yes', 'text'], ['12 ', 'text'],
  ])('%s is %s', (value, type) => {
    expect(classifyValue(value)).toBe(type);
  });

  it('widens to the type that holds both', () => {
    expect(widen(undefined, 'bigint')).toBe('bigint');
    expect(widen('bigint', 'numeric')).toBe('numeric');
    expect(widen('date', 'timestamp')).toBe('timestamp');
    expect(widen('timestamp', 'timestamptz')).toBe('timestamptz');
    expect(widen('bigint', 'date')).toBe('text');
    expect(widen('boolean', 'bigint')).toBe('text');
  });
});

describe('inferSeedColumns', () => {
  it('infers every type, ignoring empty fields', async () => {
    const text = 'id,price,day,at,flag,name,empty\n1,2,2024-01-01,2024-01-01 10:00:00,true,a,\n,2.5,,,false,,\n3,,2024-01-03,2024-01-03,,b,\n';
    expect(await types(text)).toEqual({
      id: 'bigint', price: 'numeric', day: 'date', at: 'timestamp', flag: 'boolean', name: 'text', empty: 'text',
    });
  });

  it('handles a BOM, CRLF and quoted commas, quotes and newlines', async () => {
    const text = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('segment,score,note\r\n"Champions, top",5,"says ""hi""\r\nthen leaves"\r\nLost,1,""\r\n'),
    ]);
    const columns = await inferSeedColumns(csv(text), {});
    expect(columns).toEqual([
      { name: 'segment', type: 'text' }, { name: 'score', type: 'bigint' }, { name: 'note', type: 'text' },
    ]);
  });

  it('lets declared column_types win and keeps header order', async () => {
    expect(await types('a,b\n1,x\n', { a: 'smallint' })).toEqual({ a: 'smallint', b: 'text' });
  });

  it('rejects empty and duplicate header names and unknown declared columns, naming file and line', async () => {
    const empty = csv('a,,c\n1,2,3\n');
    await expect(inferSeedColumns(empty, {})).rejects.toThrow(`${empty}:1: column 2 has an empty name`);
    const twice = csv('a,b,a\n1,2,3\n');
    await expect(inferSeedColumns(twice, {})).rejects.toThrow(/:1: column name "a" appears twice in the header \(columns 1 and 3\)/);
    await expect(inferSeedColumns(csv('a\n1\n'), { z: 'int' })).rejects.toThrow(/column_types names "z", which is not a column/);
    await expect(inferSeedColumns(csv(''), {})).rejects.toThrow(/the file is empty/);
  });

  it('reports a record with the wrong number of fields at its line', async () => {
    const file = csv('a,b\n1,2\n"x\ny",3\n4\n');
    const error = await inferSeedColumns(file, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toBe(5);
  });

  it('reports a missing file', async () => {
    await expect(inferSeedColumns(join(dir, 'nope.csv'), {})).rejects.toThrow(/nope\.csv: file not found/);
  });
});
