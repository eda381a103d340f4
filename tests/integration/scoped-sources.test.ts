import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Tests local to a key that read sources (issue 7): a source declaring `changes:` tells an
// incremental build which rows are new since the published build, from the mark that build
// recorded as it started: `{appended_by: batch_id}` (rows after the largest batch it saw, through
// the index) or `transactions` (rows written by transactions its snapshot did not see, updates
// included). As landing.order_lines and landing.load_batches with the landing tests.
let dir: string;
let testDb: TestDatabase;
let db: Database;

const SOURCES = `version: 2
sources:
  - name: src
    schema: marks_src
    tables:
      - name: lines
        changes: {appended_by: batch_id}
        data_tests:
          - unique_combination_of_columns:
              combination_of_columns: [batch_id, line]
      - name: batches
        changes: transactions
`;

const KEEPS = `-- every line of a loaded batch is staged, once
{{ config(scope_by='batch_id') }}
with landed as (
    select l.batch_id, count(*) as n
    from {{ source('src', 'lines') }} as l
    join {{ source('src', 'batches') }} as b on b.batch_id = l.batch_id and b.status = 'loaded'
    group by l.batch_id
), staged as (
    select batch_id, count(*) as n from {{ ref('staged') }} group by batch_id
)
select coalesce(l.batch_id, s.batch_id) as batch_id, l.n as landed, s.n as staged
from landed as l full join staged as s on s.batch_id = l.batch_id
where l.n is distinct from s.n
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-scoped-sources-'));
  await mkdir(join(dir, 'models', 'silver'), { recursive: true });
  await mkdir(join(dir, 'tests', 'data'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: scoped_sources\n  bi_role: scoped_sources_bi\n');
  await writeFile(join(dir, 'models', '_sources.yml'), SOURCES);
  await writeFile(
    join(dir, 'models', 'silver', 'staged.sql'),
    `{{ config(materialized='incremental', indexes=[{'columns': ['batch_id']}]) }}
select l.batch_id, l.line
from {{ source('src', 'lines') }} as l
join {{ source('src', 'batches') }} as b on b.batch_id = l.batch_id and b.status = 'loaded'
{% if is_incremental() %}
where l.batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
{% endif %}
`,
  );
  await writeFile(join(dir, 'tests', 'data', 'keeps_every_line.sql'), KEEPS);
  testDb = await createTestDatabase('scoped_sources');
  db = await openTestProjectDb(testDb.url, dir);
  await db.pool.query(`
    create schema marks_src;
    create table marks_src.batches (batch_id int primary key, status text not null);
    create table marks_src.lines (batch_id int not null, line int not null);
    create index on marks_src.lines using brin (batch_id);`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function load(batch: number, lines: number): Promise<void> {
  await db.pool.query(`insert into marks_src.batches values ($1, 'loaded')`, [batch]);
  await db.pool.query(`insert into marks_src.lines select $1, generate_series(1, $2::int)`, [batch, lines]);
}

function outcome(build: BuildOutcome, prefix: string) {
  const found = build.report.tests.find((t) => t.id.startsWith(prefix));
  if (!found) throw new Error(`no test ${prefix} in ${build.report.tests.map((t) => t.id).join(', ')}`);
  return { status: found.status, failures: found.failures, scoped: /values this build touched/.test(found.message ?? '') };
}
const keeps = (build: BuildOutcome) => outcome(build, 'test.singular.keeps_every_line');
const unique = (build: BuildOutcome) => outcome(build, 'test.unique_combination_of_columns.source.src.lines');

async function kept(build: BuildOutcome, test: string): Promise<unknown[]> {
  const r = await db.pool.query<{ rows: unknown[] | null }>(
    `select json_agg(row_data order by ordinal) as rows from strata_meta.test_failures where build_id = $1 and test_id like $2`,
    [build.report.buildId, `${test}%`],
  );
  return r.rows[0]?.rows ?? [];
}

describe('tests local to a key over sources that declare their changes', () => {
  it('check the batches loaded or changed since the published build, and every batch on --full-refresh', async () => {
    // a build before anything is loaded: the mark of an empty table is no bound for the next
    const empty = await buildProject(db, dir);
    expect(empty.exitCode, whyNot(empty)).toBe(0);
    await load(1, 10);
    const first = await buildProject(db, dir);
    expect(first.exitCode, whyNot(first)).toBe(0);
    expect(unique(first)).toEqual({ status: 'pass', failures: 0, scoped: true });
    const marks = await db.pool.query(`select source_id, mark from strata_meta.source_marks where build_id = $1 order by source_id`, [first.report.buildId]);
    expect(marks.rows).toEqual([
      { source_id: 'source.src.batches', mark: expect.stringMatching(/^\d+:\d+:/) },
      { source_id: 'source.src.lines', mark: '1' },
    ]);

    // planted in batch 1 after it was built, as if it had slipped in: a duplicate line and a line
    // staging never read. Scoped checks do not read batch 1 again.
    await db.pool.query(`insert into marks_src.lines values (1, 3), (1, 11)`);
    await load(2, 5);
    const second = await buildProject(db, dir);
    expect(second.exitCode, whyNot(second)).toBe(0);
    expect(unique(second)).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(keeps(second)).toEqual({ status: 'pass', failures: 0, scoped: true });

    // a new batch with a repeated line: the unique test fails on it alone
    await load(3, 4);
    await db.pool.query(`insert into marks_src.lines values (3, 2)`);
    const third = await buildProject(db, dir);
    expect(third.exitCode).toBe(1);
    expect(unique(third)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(third, 'test.unique_combination_of_columns.source.src.lines')).toEqual([{ batch_id: 3, line: 2, n_records: 2 }]);
    await db.pool.query(`delete from marks_src.lines where batch_id = 3 and line = 2 and ctid = (select max(ctid) from marks_src.lines where batch_id = 3 and line = 2)`);
    const fixed = await buildProject(db, dir);
    expect(fixed.exitCode, whyNot(fixed)).toBe(0);

    // an update of an old row (batch 2 withdrawn after it was staged): found by its transaction,
    // so batch 2 is checked again, and its staged lines no longer match
    await db.pool.query(`update marks_src.batches set status = 'withdrawn' where batch_id = 2`);
    const updated = await buildProject(db, dir);
    expect(updated.exitCode).toBe(1);
    expect(keeps(updated)).toEqual({ status: 'fail', failures: 1, scoped: true });
    expect(await kept(updated, 'test.singular.keeps_every_line')).toEqual([{ batch_id: 2, landed: null, staged: 5 }]);
    await db.pool.query(`update marks_src.batches set status = 'loaded' where batch_id = 2`);

    // --full-refresh reads every batch: the planted lines of batch 1 are found
    const full = await buildProject(db, dir, { fullRefresh: true });
    expect(full.exitCode).toBe(1);
    expect(unique(full)).toEqual({ status: 'fail', failures: 1, scoped: false });
    expect(await kept(full, 'test.unique_combination_of_columns.source.src.lines')).toEqual([{ batch_id: 1, line: 3, n_records: 2 }]);
  });
});
