import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, openTestProjectDb, whyNot } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// A first (or full) build of an incremental model builds the indexes only the next build reads
// after the node commits, beside the nodes that come next (scripts/execute/deferred-indexes.ts).
// The publish waits for them: a published build has every index, and one that could not be built
// keeps the build from publishing, naming the model.

const SCHEMA = `version: 2
project:
  name: deferred_indexes
  bi_role: deferred_indexes_bi
models:
  - name: lines
    description: Incremental, with a unique key and lookup indexes.
  - name: after_lines
    description: Reads lines.
`;

/** `lines` with an index on `1 / (n - broken)`: a division by zero while indexing when broken = n for a row. */
function linesModel(broken: number): string {
  return `{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['id'], 'unique': true}, {'columns': ['grp']}, {'columns': ['(1 / (n - ${broken}))']}]) }}
select n as id, n % 7 as grp, n from generate_series(1, 1000) as n
{% if is_incremental() %} where n > (select max(id) from {{ this }}) {% endif %}
`;
}

describe('index builds after their node', () => {
  let testDb: TestDatabase;
  let db: Database;
  let project: string;

  beforeAll(async () => {
    testDb = await createTestDatabase('deferred_indexes');
    project = await mkdtemp(join(tmpdir(), 'strata-deferred-indexes-'));
    await mkdir(join(project, 'models'));
    await writeFile(join(project, 'schema.yml'), SCHEMA);
    await writeFile(join(project, 'models', 'after_lines.sql'), `select count(*) as n from {{ ref('lines') }}`);
    db = await openTestProjectDb(testDb.url, project);
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await rm(project, { recursive: true, force: true });
  });

  /** The published partition's indexes, as their definitions' column lists. */
  async function publishedIndexes(): Promise<string[]> {
    const found = await db.pool.query<{ def: string }>(
      `select regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING btree ', '') as def
         from strata_meta.live as l
         join pg_index as i on i.indrelid = format('%I.%I', l.physical_schema, l.physical_name)::regclass
        where l.node_id = 'model.lines'
        order by 1`,
    );
    return found.rows.map((r) => r.def);
  }

  it('a published build has every index, the deferred ones included', async () => {
    await writeFile(join(project, 'models', 'lines.sql'), linesModel(0));
    const built = await buildProject(db, project);
    expect(built.exitCode, whyNot(built)).toBe(0);
    expect(await publishedIndexes()).toEqual([
      '(((1 / (n - 0)))) WHERE (_strata_to IS NULL)',
      `(_strata_from) WHERE (_strata_from > ${built.report.buildId})`,
      '(_strata_to) WHERE (_strata_to IS NOT NULL)',
      '(grp) WHERE (_strata_to IS NULL)',
      '(id) WHERE (_strata_to IS NULL)',
    ]);
  });

  it('an index that cannot be built keeps the build from publishing, and says which model', async () => {
    const before = await db.pool.query(`select physical_name, data_build from strata_meta.live where node_id = 'model.lines'`);
    await writeFile(join(project, 'models', 'lines.sql'), linesModel(500));
    const built = await buildProject(db, project, { fullRefresh: true });
    expect(built.exitCode).toBe(1);
    expect(built.report.published).toBe(false);
    expect(built.report.blockedBy).toMatch(/an index of model\.lines could not be built: .*division by zero/);
    // the node itself succeeded (its rows are written; the index is for the next build)
    expect(built.report.nodes.find((n) => n.id === 'model.lines')?.status).toBe('success');
    const after = await db.pool.query(`select physical_name, data_build from strata_meta.live where node_id = 'model.lines'`);
    expect(after.rows).toEqual(before.rows);
  });
});
