import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALUE_END, VALUE_START, resolveValues } from '../../scripts/execute/resolve-values.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// An incremental model's watermark (macros/watermark.sql) is written in as a literal before the
// statement runs, so the planner reads a new batch through the landing table's BRIN index on
// batch_id instead of scanning every landed row (issue 7; the plans are in docs/benchmarks.md).
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('resolve_values');
  await db.pool.query(`
    create table landed (batch_id bigint not null, source_line bigint not null, payload text);
    -- 40 batches of 10,000 lines, appended in order, as loads append them
    insert into landed select b, l, repeat('x', 40) from generate_series(1, 40) as b, generate_series(1, 10000) as l;
    create index landed_batch on landed using brin (batch_id);
    analyze landed;
    create table batches (batch_id bigint primary key, status text not null);
    insert into batches select b, 'loaded' from generate_series(1, 40) as b;
    analyze batches;
    create table staged (batch_id bigint not null);
    insert into staged select generate_series(1, 39);
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
      expect(resolved).toBe(`select 1\nfrom landed\nwhere batch_id > '39'::bigint\n  and true`);
      expect(await resolveValues(client, 'select 2')).toBe('select 2');
      // an empty relation: coalesce gives 0; a null value keeps its type
      expect(await resolveValues(client, `${VALUE_START}(select max(batch_id) from staged where false)${VALUE_END}`)).toBe('null::bigint');
    } finally {
      client.release();
    }
  });

  it('lets the planner find the new batch through the BRIN index; the sub-select scans every row', async () => {
    const client = await db.pool.connect();
    try {
      const literal = await plan(await resolveValues(client, newLines(watermark)));
      expect(literal).toMatch(/Bitmap Index Scan on landed_batch/);
      expect(literal).not.toMatch(/Seq Scan on landed/);
      const subSelect = await plan(newLines('(select coalesce(max(batch_id), 0) from staged)'));
      expect(subSelect, subSelect).toMatch(/Seq Scan on landed/);
      // the same rows either way
      const a = await db.pool.query(await resolveValues(client, newLines(watermark)));
      const b = await db.pool.query(newLines('(select coalesce(max(batch_id), 0) from staged)'));
      expect(a.rows).toEqual(b.rows);
      expect(a.rows[0]).toMatchObject({ count: '10000' });
    } finally {
      client.release();
    }
  });
});
