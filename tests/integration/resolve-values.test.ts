import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALUE_END, VALUE_START, resolveValues } from '../../scripts/execute/resolve-values.ts';
import { toDatabaseError } from '../../scripts/execute/sql-error.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// An incremental model's watermark (macros/watermark.sql) is written in as a literal before the
// statement runs, so the planner reads a new batch through the landing table's BRIN index on
// batch_id instead of scanning every landed row (issue 7; the plans are in docs/benchmarks.md).
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('resolve_values');
  await db.pool.query(`
    create table landed (batch_id bigint not null, source_line bigint not null, payload text);
    -- 8 batches of 50,000 lines, appended in order, as loads append them
    insert into landed select b, l, repeat('x', 40) from generate_series(1, 8) as b, generate_series(1, 50000) as l;
    create index landed_batch on landed using brin (batch_id);
    analyze landed;
    create table batches (batch_id bigint primary key, status text not null);
    insert into batches select b, 'loaded' from generate_series(1, 8) as b;
    analyze batches;
    create table staged (batch_id bigint not null);
    insert into staged select generate_series(1, 7);
    create index on staged (batch_id);
    analyze staged;`);
});

afterAll(async () => db?.drop());

const watermark = `${VALUE_START}(select coalesce(max(batch_id), 0) from staged)${VALUE_END}`;
// the shape of macros/new_landed_rows.sql: lines of finished loads, after the watermark
const newLines = (bound: string) =>
  `select count(*), max(payload) from landed where batch_id in (select batch_id from batches where status = 'loaded') and batch_id > ${bound}`;

async function plan(sql: string): Promise<string> {
  const found = await db.pool.query<{ 'QUERY PLAN': string }>(`explain ${sql}`);
  return found.rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('values the runner resolves before a statement', () => {
  it('writes the watermark in as a typed literal, keeping the line breaks', async () => {
    const client = await db.pool.connect();
    try {
      const sql = `select 1\nfrom landed\nwhere batch_id > ${watermark}\n  and true`;
      const resolved = await resolveValues(client, sql);
      expect(resolved).toBe(`select 1\nfrom landed\nwhere batch_id > '7'::bigint\n  and true`);
      expect(await resolveValues(client, 'select 2')).toBe('select 2');
      // an empty relation: coalesce gives 0; a null value keeps its type
      expect(await resolveValues(client, `${VALUE_START}(select max(batch_id) from staged where false)${VALUE_END}`)).toBe('null::bigint');
      // a comment that mentions the marker is left alone, and the marker after it still resolves
      const commented = `-- the ${VALUE_START} marker of macros/watermark.sql\nselect 1 from landed where batch_id > ${watermark}`;
      expect(await resolveValues(client, commented)).toBe(`-- the ${VALUE_START} marker of macros/watermark.sql\nselect 1 from landed where batch_id > '7'::bigint`);
      // a marked value holding another: the inner one is written in first, then the outer one
      // evaluated with it (a model's array of changed keys, read after its watermark)
      const nested = `select 1 where 8 = any (${VALUE_START}(select array_agg(batch_id) from batches where batch_id > ${watermark})${VALUE_END}) and 7 = ${watermark}`;
      expect(await resolveValues(client, nested)).toBe(`select 1 where 8 = any ('{8}'::bigint[]) and 7 = '7'::bigint`);
    } finally {
      client.release();
    }
  });

  it('places a marked value that fails at its marker, so the model\'s line is the marker\'s', async () => {
    const client = await db.pool.connect();
    try {
      const sql = `select 1\nfrom landed\nwhere batch_id > ${VALUE_START}(select max(batch_id) / 0 from staged)${VALUE_END}\n  and true`;
      const failed = await resolveValues(client, sql).then(() => undefined, (error: unknown) => error as { position?: string; code?: string });
      expect(failed?.code).toBe('22012'); // division_by_zero, kept
      expect(Number(failed?.position)).toBe(sql.indexOf(VALUE_START) + 1);
      const located = toDatabaseError(failed, { node: 'model.x', file: 'models/x.sql', sql, bodyOffset: 0, lineMap: [10, 11, 12, 13] });
      expect(located.message).toContain('models/x.sql:12');
      // a marker over two lines in a model's SQL is refused at its place, not run as a sub-select;
      // a data test's SQL (no line map) may span lines
      const split = `select 1\nwhere batch_id > ${VALUE_START}(select max(batch_id)\n from staged)${VALUE_END}`;
      const refused = await resolveValues(client, split).then(() => undefined, (error: unknown) => error as { message: string; position?: string });
      expect(refused?.message).toMatch(/spans several lines/);
      expect(Number(refused?.position)).toBe(split.indexOf(VALUE_START) + 1);
      expect(await resolveValues(client, split, { multiline: true })).toBe(`select 1\nwhere batch_id > '7'::bigint`);
      // nested: the outer marker's place (one line, by design)
      const nested = `select 1\nwhere 8 = any (${VALUE_START}(select array_agg(batch_id) from batches where batch_id > ${VALUE_START}(select 1/0)${VALUE_END})${VALUE_END})`;
      const inner = await resolveValues(client, nested).then(() => undefined, (error: unknown) => error as { position?: string });
      expect(Number(inner?.position)).toBe(nested.indexOf(VALUE_START) + 1);
    } finally {
      client.release();
    }
  });

  it('lets the planner see how many rows a watermark or a set of touched batches leaves', async () => {
    const client = await db.pool.connect();
    try {
      // a watermark: with the sub-select the planner guesses a third of the table
      const guessed = await plan(newLines('(select coalesce(max(batch_id), 0) from staged)'));
      const literal = await plan(await resolveValues(client, newLines(watermark)));
      expect(guessed, guessed).toMatch(/on landed\S* .*rows=1[0-9]{5} /);
      expect(literal, literal).toMatch(/Bitmap Heap Scan on landed .*rows=[0-9]{1,5} /);
      // touched keys (a test local to batch_id): an array from a sub-select is a parameter of
      // unknown size, so for a column with few distinct values the planner expects most rows (on
      // the real data it then scanned landing and staging: docs/benchmarks.md)
      const touched = `(select coalesce(array_agg(batch_id), '{}') from staged where batch_id > 6)`;
      const byKeys = (values: string) => `select count(*) from landed where batch_id = any (${values})`;
      const scanned = await plan(byKeys(`array${touched.replace(/^\(select coalesce\(array_agg\(batch_id\), '\{\}'\)/, '(select batch_id')}`));
      expect(scanned, scanned).toMatch(/on landed\S* .*rows=[0-9]{6,} /);
      const resolved = await resolveValues(client, byKeys(`${VALUE_START}${touched}${VALUE_END}`));
      expect(resolved).toBe(`select count(*) from landed where batch_id = any ('{7}'::bigint[])`);
      const indexed = await plan(resolved);
      expect(indexed, indexed).toMatch(/Bitmap Index Scan on landed_batch .*rows=[0-9]{1,5} /);
      expect(indexed).not.toMatch(/Seq Scan on landed/);
      // the same rows either way
      const a = await db.pool.query(await resolveValues(client, newLines(watermark)));
      const b = await db.pool.query(newLines('(select coalesce(max(batch_id), 0) from staged)'));
      expect(a.rows).toEqual(b.rows);
      expect(a.rows[0]).toMatchObject({ count: '50000' });
    } finally {
      client.release();
    }
  });
});
