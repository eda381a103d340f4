import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Row-local data tests of an incremental model check only the rows the build added (issue 7):
// a bad row in a new batch still fails its test, with that row kept; a bad row planted among the
// published rows is not re-reported by the scoped tests, and a --full-refresh reports it.
let dir: string;
let testDb: TestDatabase;
let db: Database;

const PROPERTIES = `version: 2
models:
  - name: lines
    description: Landed lines, appended batch by batch.
    columns:
      - name: id
        description: Line id.
        data_tests: [not_null]
      - name: amount
        description: Positive.
        data_tests:
          - expression_is_true:
              expression: "> 0"
      - name: status
        description: ok or late.
        data_tests:
          - accepted_values:
              values: [ok, late]
      - name: customer_id
        description: A known customer.
        data_tests:
          - relationships:
              to: ref('customers')
              field: customer_id
  - name: customers
    description: Known customers (a table, rebuilt every build).
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-scoped-'));
  await mkdir(join(dir, 'models', 'silver'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: scoped\n  bi_role: scoped_bi\n');
  await writeFile(
    join(dir, 'models', '_sources.yml'),
    'version: 2\nsources:\n  - name: src\n    schema: scoped_src\n    tables:\n      - name: lines\n      - name: customers\n',
  );
  await writeFile(join(dir, 'models', 'silver', '_silver__models.yml'), PROPERTIES);
  await writeFile(
    join(dir, 'models', 'silver', 'lines.sql'),
    `{{ config(materialized='incremental') }}
select id, customer_id, amount, status, batch
from {{ source('src', 'lines') }}
{% if is_incremental() %}
where batch > (select coalesce(max(batch), 0) from {{ this }})
{% endif %}
`,
  );
  await writeFile(join(dir, 'models', 'silver', 'customers.sql'), `select customer_id from {{ source('src', 'customers') }}\n`);
  testDb = await createTestDatabase('scoped_tests');
  db = await openTestProjectDb(testDb.url, dir);
  await db.pool.query(`
    create schema scoped_src;
    create table scoped_src.customers (customer_id int);
    insert into scoped_src.customers select generate_series(1, 5);
    create table scoped_src.lines (id int, customer_id int, amount numeric, status text, batch int);`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** `n` good lines of batch `batch`, ids after the last one. */
async function land(batch: number, n: number): Promise<void> {
  await db.pool.query(
    `insert into scoped_src.lines
     select i, i % 5 + 1, i * 1.5, case when i % 2 = 0 then 'ok' else 'late' end, $1::int
       from generate_series((select coalesce(max(id), 0) + 1 from scoped_src.lines), (select coalesce(max(id), 0) + $2::int from scoped_src.lines)) as i`,
    [batch, n],
  );
}

const result = (outcome: BuildOutcome, name: string) => {
  const found = outcome.report.tests.find((t) => t.id.startsWith(`test.${name}.lines`));
  if (!found) throw new Error(`no test ${name} in ${outcome.report.tests.map((t) => t.id).join(', ')}`);
  return { status: found.status, failures: found.failures, scoped: (found.message ?? '').includes('checked the rows this build added') };
};

async function kept(build: number, name: string): Promise<unknown[]> {
  const r = await db.pool.query<{ rows: unknown[] | null }>(
    `select json_agg(row_data order by ordinal) as rows from strata_meta.test_failures where build_id = $1 and test_id like $2`,
    [build, `test.${name}.lines%`],
  );
  return r.rows[0]?.rows ?? [];
}

describe('data tests scoped to the rows a build added', () => {
  it('a bad new row fails its test; a planted old bad row is not rescanned, and --full-refresh reports it', async () => {
    await land(1, 100);
    const first = await buildProject(db, dir);
    expect(first.exitCode, whyNot(first)).toBe(0);
    // the first build checks every row
    expect(result(first, 'expression_is_true')).toEqual({ status: 'pass', failures: 0, scoped: false });

    // a bad row among the published ones, as if it had slipped in: scoped tests must not see it
    const live = await db.pool.query<{ part: string }>(`select format('%I.%I', physical_schema, physical_name) as part from strata_meta.live where node_id = 'model.lines'`);
    await db.pool.query(`update ${live.rows[0]!.part} set amount = -1, status = 'planted' where id = 7`);

    await land(2, 50);
    const second = await buildProject(db, dir);
    expect(second.exitCode, whyNot(second)).toBe(0);
    expect(result(second, 'expression_is_true')).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(result(second, 'accepted_values')).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(result(second, 'not_null')).toEqual({ status: 'pass', failures: 0, scoped: true });
    // its parent is rebuilt every build: a kept row's parent may be gone, so every row is checked
    expect(result(second, 'relationships')).toEqual({ status: 'pass', failures: 0, scoped: false });

    // a new batch with a bad row: its tests fail, keeping that row only
    await land(3, 20);
    await db.pool.query(`update scoped_src.lines set amount = 0, status = 'lost', id = null where id = 160`);
    const third = await buildProject(db, dir);
    expect(third.exitCode).toBe(1);
    expect(result(third, 'expression_is_true')).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(result(third, 'accepted_values')).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(result(third, 'not_null')).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(third.report.buildId, 'expression_is_true')).toEqual([{ id: null, customer_id: 1, amount: 0, status: 'lost', batch: 3 }]);
    expect(await kept(third.report.buildId, 'accepted_values')).toEqual([{ value_field: 'lost', n_records: 1 }]);

    // fixed at the source: the next build checks the batch again (the failed build's rows are gone)
    await db.pool.query(`update scoped_src.lines set amount = 3, status = 'ok', id = 160 where id is null`);
    const fourth = await buildProject(db, dir);
    expect(fourth.exitCode, whyNot(fourth)).toBe(0);
    // the failed build recorded failures, but the rows they were about were never published: the
    // published rows' build (the second) passed, so the tests stay scoped
    expect(result(fourth, 'expression_is_true')).toEqual({ status: 'pass', failures: 0, scoped: true });

    // a full refresh rebuilds from the source: the planted row is gone, so plant it again in the
    // source and see the full-refresh build report it (every row is checked)
    await db.pool.query(`update scoped_src.lines set amount = -1, status = 'planted' where id = 7`);
    const full = await buildProject(db, dir, { fullRefresh: true });
    expect(full.exitCode).toBe(1);
    expect(result(full, 'expression_is_true')).toEqual({ status: 'fail', failures: 1, scoped: false });
    expect(await kept(full.report.buildId, 'expression_is_true')).toEqual([{ id: 7, customer_id: 3, amount: -1, status: 'planted', batch: 1 }]);
  });

  it('a test new since the published build checks every row', async () => {
    // published: the fourth build above, whose rows include the planted one (id 7). A new test on
    // the model has no earlier pass to rely on, so it reads every row and finds it.
    await writeFile(
      join(dir, 'models', 'silver', '_silver__models.yml'),
      PROPERTIES.replace('          - accepted_values:', `          - expression_is_true:\n              expression: "<> 'planted'"\n          - accepted_values:`),
    );
    await land(4, 10);
    const build = await buildProject(db, dir);
    expect(build.exitCode).toBe(1);
    const fresh = build.report.tests.find((t) => t.id.startsWith('test.expression_is_true.lines.status'));
    expect(fresh).toMatchObject({ status: 'fail', failures: 1 });
    expect(fresh?.message).not.toMatch(/checked the rows this build added/);
    // the model's other tests passed before, so they still check only the new rows
    expect(result(build, 'not_null')).toEqual({ status: 'pass', failures: 0, scoped: true });
  });
});
