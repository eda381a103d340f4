import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../scripts/core/errors.ts';
import { inferSeedColumns, loadSeed } from '../../scripts/execute/seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'strata-seed-it-'));
beforeAll(async () => {
  db = await createTestDatabase('seed');
  await db.pool.query('create schema silver__b000001');
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function load(path: string, name: string, declared: Record<string, string> = {}): Promise<number> {
  const columns = await inferSeedColumns(path, declared);
  const client = await db.pool.connect();
  try {
    return await loadSeed(client, { schema: 'silver__b000001', name }, path, columns);
  } finally {
    client.release();
  }
}

describe('loadSeed', () => {
  it('loads a CSV with BOM, CRLF and quoted fields, with inferred types and NULLs', async () => {
    const path = file('rfm_rules.csv', Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        'segment,min_score,weight,since,active,note\r\n' +
          '"Champions, top",5,1.5,2024-01-01,true,"says ""hi""\r\nthen leaves"\r\n' +
          'Lost,1,,2024-02-01,false,""\r\n' +
          'Hibernating,,0.25,,,\r\n',
      ),
    ]));
    expect(await load(path, 'rfm_rules', { weight: 'numeric(6,2)' })).toBe(3);

    const types = await db.pool.query(
      `select column_name, data_type from information_schema.columns
       where table_schema = 'silver__b000001' and table_name = 'rfm_rules' order by ordinal_position`,
    );
    expect(types.rows).toEqual([
      { column_name: 'segment', data_type: 'text' },
      { column_name: 'min_score', data_type: 'bigint' },
      { column_name: 'weight', data_type: 'numeric' },
      { column_name: 'since', data_type: 'date' },
      { column_name: 'active', data_type: 'boolean' },
      { column_name: 'note', data_type: 'text' },
    ]);
    const rows = await db.pool.query(
      `select segment, min_score::int, weight::text, since::text, active, note from silver__b000001.rfm_rules order by segment`,
    );
    expect(rows.rows).toEqual([
      { segment: 'Champions, top', min_score: 5, weight: '1.50', since: '2024-01-01', active: true, note: 'says "hi"\r\nthen leaves' },
      { segment: 'Hibernating', min_score: null, weight: '0.25', since: null, active: null, note: null },
      { segment: 'Lost', min_score: 1, weight: null, since: '2024-02-01', active: false, note: null },
    ]);
  });

  it('names file, line and column of a value the type rejects, and leaves no table', async () => {
    const path = file('bad.csv', 'id,label,score\n1,"two\nlines",3\n2,ok,abc\n');
    const error = await load(path, 'bad', { score: 'integer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toBe(4);
    expect((error as InputError).message).toBe(`${path}:4: column score: invalid input syntax for type integer: "abc"`);
    const exists = await db.pool.query(`select to_regclass('silver__b000001.bad') as t`);
    expect(exists.rows[0].t).toBeNull();
  });

  it('says where a record spanning lines starts', async () => {
    const path = file('span.csv', 'id,label,score\n1,"two\nlines\nmore",abc\n');
    await expect(load(path, 'span', { score: 'integer' })).rejects.toThrow(
      `${path}:4: record starting on line 2, column score: invalid input syntax for type integer: "abc"`,
    );
  });

  it('reports a bad declared type as an input error for the file', async () => {
    const path = file('typo.csv', 'a\n1\n');
    await expect(load(path, 'typo', { a: 'intger' })).rejects.toThrow(/typo\.csv: cannot create the seed table: type "intger" does not exist/);
  });
});
