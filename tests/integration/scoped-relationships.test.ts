import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// A relationships test whose column and field have one name is local to that column (issue 7):
// from a view over incremental staging (as silver.order_lines.invoice_no → orders), an
// incremental build checks only the values its batch touched, in both relations, and a bad line
// of the batch still fails it, with that line's value the row kept; a bad old line planted among
// the published rows is not read again; --full-refresh reads every line and reports it. The
// view's not_null test checks the view's changed rows (its input's changed rows through the view)
// the same way.
let dir: string;
let testDb: TestDatabase;
let db: Database;

const PROPERTIES = `version: 2
models:
  - name: lines
    description: Lines, appended batch by batch.
  - name: invoices
    description: Invoices, appended batch by batch.
  - name: all_lines
    description: A view over lines, as order_lines is over staging.
    columns:
      - name: invoice
        data_tests:
          - not_null
          - relationships:
              to: ref('invoices')
              field: invoice
`;

const incremental = (source: string, columns: string) => `{{ config(materialized='incremental', indexes=[{'columns': ['invoice']}]) }}
select ${columns}
from {{ source('src', '${source}') }}
{% if is_incremental() %}
where batch > (select coalesce(max(batch), 0) from {{ this }})
{% endif %}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-scoped-rel-'));
  await mkdir(join(dir, 'models', 'silver'), { recursive: true });
  await writeFile(join(dir, 'schema.yml'), 'version: 2\nproject:\n  name: scoped_rel\n  bi_role: scoped_rel_bi\n');
  await writeFile(
    join(dir, 'models', '_sources.yml'),
    'version: 2\nsources:\n  - name: src\n    schema: rel_src\n    tables:\n      - name: lines\n      - name: invoices\n',
  );
  await writeFile(join(dir, 'models', 'silver', '_silver__models.yml'), PROPERTIES);
  await writeFile(join(dir, 'models', 'silver', 'lines.sql'), incremental('lines', 'batch, line, invoice'));
  await writeFile(join(dir, 'models', 'silver', 'invoices.sql'), incremental('invoices', 'batch, invoice'));
  await writeFile(join(dir, 'models', 'silver', 'all_lines.sql'), `select batch, line, invoice from {{ ref('lines') }} where line > 0\n`);
  testDb = await createTestDatabase('scoped_rel');
  db = await openTestProjectDb(testDb.url, dir);
  await db.pool.query(`
    create schema rel_src;
    create table rel_src.lines (batch int, line int, invoice int);
    create table rel_src.invoices (batch int, invoice int);`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Invoices `invoices` in `batch` (with `lines` extra line invoices that have no invoice row). */
async function land(batch: number, invoices: readonly number[], orphans: readonly number[] = []): Promise<void> {
  await db.pool.query(`insert into rel_src.invoices select $1::int, inv from unnest($2::int[]) as inv`, [batch, invoices]);
  await db.pool.query(
    `insert into rel_src.lines select $1::int, row_number() over (), inv from unnest($2::int[]) as inv, generate_series(1, 3)`,
    [batch, [...invoices, ...orphans]],
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function relationship(build: BuildOutcome) {
  const found = build.report.tests.find((t) => t.id.startsWith('test.relationships.all_lines.invoice'));
  if (!found) throw new Error(`no relationships test in ${build.report.tests.map((t) => t.id).join(', ')}`);
  return { status: found.status, failures: found.failures, scoped: /invoice values this build touched/.test(found.message ?? '') };
}

function notNull(build: BuildOutcome) {
  const found = build.report.tests.find((t) => t.id.startsWith('test.not_null.all_lines.invoice'));
  if (!found) throw new Error(`no not_null test in ${build.report.tests.map((t) => t.id).join(', ')}`);
  return { status: found.status, failures: found.failures, scoped: /rows this build changed/.test(found.message ?? '') };
}

async function kept(build: BuildOutcome): Promise<number[]> {
  const r = await db.pool.query<{ invoice: number }>(
    `select (row_data->>'invoice')::int as invoice from strata_meta.test_failures
      where build_id = $1 and test_id like 'test.relationships.all_lines.invoice%' order by 1`,
    [build.report.buildId],
  );
  return r.rows.map((row) => row.invoice);
}

async function partitionOf(node: string): Promise<string> {
  const live = await db.pool.query<{ part: string }>(`select format('%I.%I', physical_schema, physical_name) as part from strata_meta.live where node_id = $1`, [node]);
  return live.rows[0]!.part;
}

describe('relationships from a view over incremental models', () => {
  it('checks the values the batch touched, fails on a bad line of the batch, and --full-refresh checks every line', async () => {
    await land(1, range(1, 40));
    const first = await buildProject(db, dir);
    expect(first.exitCode, whyNot(first)).toBe(0);
    expect(relationship(first)).toEqual({ status: 'pass', failures: 0, scoped: false });

    // an old line naming invoice 999, planted among the published rows and in the source (as if
    // it had slipped in): scoped checks do not read it again
    await db.pool.query(`insert into rel_src.lines values (1, 1000, 999), (1, 1001, null)`);
    for (const [line, invoice] of [[1000, 999], [1001, null]] as const) {
      await db.pool.query(`insert into ${await partitionOf('model.lines')} (batch, line, invoice, _strata_gen, _strata_from)
                           select 1, $1::int, $2::int, _strata_gen, _strata_from from ${await partitionOf('model.lines')} limit 1`, [line, invoice]);
    }
    await land(2, range(41, 50));
    const second = await buildProject(db, dir);
    expect(second.exitCode, whyNot(second)).toBe(0);
    expect(relationship(second)).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(notNull(second)).toEqual({ status: 'pass', failures: 0, scoped: true });

    // a batch with a line of invoice 77, which has no invoice row, and a line without an
    // invoice: the scoped tests fail on them
    await land(3, range(51, 55), [77]);
    await db.pool.query(`insert into rel_src.lines values (3, 100, null)`);
    const third = await buildProject(db, dir);
    expect(third.exitCode).toBe(1);
    expect(relationship(third)).toEqual({ status: 'fail', failures: 3, scoped: true });
    expect(await kept(third)).toEqual([77, 77, 77]);
    expect(notNull(third)).toEqual({ status: 'fail', failures: 1, scoped: true });
    await db.pool.query(`delete from rel_src.lines where batch = 3 and invoice is null`);

    // its invoice arrives in the next batch: the lines of batch 3 pass now
    await db.pool.query(`insert into rel_src.invoices values (4, 77)`);
    const fourth = await buildProject(db, dir);
    expect(fourth.exitCode, whyNot(fourth)).toBe(0);
    expect(relationship(fourth)).toEqual({ status: 'pass', failures: 0, scoped: true });
    expect(notNull(fourth)).toEqual({ status: 'pass', failures: 0, scoped: true });

    // --full-refresh reads every line: the planted one is reported
    const full = await buildProject(db, dir, { fullRefresh: true });
    expect(full.exitCode).toBe(1);
    expect(relationship(full)).toEqual({ status: 'fail', failures: 1, scoped: false });
    expect(notNull(full)).toEqual({ status: 'fail', failures: 1, scoped: false });
  });
});
