import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProject, useProjectDatabase, whyNot } from '../support/build.ts';
import { scratchDir } from '../support/scratch.ts';

// The unique index of an incremental model's key of several columns treats nulls as equal
// (execute/materializations/store.ts), as `unique_combination_of_columns` does: the test is proved
// by the index alone, without a scan for nulls, and a repeated key with a null fails the node.

const SCHEMA = `version: 2
project:
  name: unique_key_nulls
  bi_role: unique_key_nulls_bi
models:
  - name: pairs
    description: Incremental, keyed on two columns.
    data_tests:
      - unique_combination_of_columns:
          combination_of_columns: [a, b]
`;

function pairsModel(rows: string): string {
  return `{{ config(materialized='incremental', unique_key=['a', 'b'], incremental_strategy='delete+insert',
    indexes=[{'columns': ['a', 'b'], 'unique': true}]) }}
select a, b, 1 as n from (values ${rows}) as v (a, b)
`;
}

describe('the unique index of a key of several columns', () => {
  let project = '';
  beforeAll(async () => {
    project = scratchDir('unique-key-nulls');
    await mkdir(join(project, 'models'));
    await writeFile(join(project, 'schema.yml'), SCHEMA);
  });
  const database = useProjectDatabase('unique_key_nulls', () => project);

  it('treats nulls as equal, and proves unique_combination_of_columns without a scan', async () => {
    await writeFile(join(project, 'models', 'pairs.sql'), pairsModel(`(1, 'x'), (1, null::text), (2, null)`));
    const built = await buildProject(database.db, project, { fullRefresh: true });
    expect(built.exitCode, whyNot(built)).toBe(0);
    const index = await database.db.pool.query<{ def: string }>(
      `select pg_get_indexdef(i.indexrelid) as def
         from strata_meta.live as l
         join pg_index as i on i.indrelid = format('%I.%I', l.physical_schema, l.physical_name)::regclass
        where l.node_id = 'model.pairs' and i.indisunique`,
    );
    expect(index.rows.map((r) => r.def.replace(/^.* USING btree /, ''))).toEqual(['(a, b) NULLS NOT DISTINCT WHERE (_strata_to IS NULL)']);
    const test = await database.db.pool.query<{ status: string; message: string | null }>(
      `select status, message from strata_meta.test_results where build_id = $1 and test_id like 'test.unique_combination_of_columns.pairs%'`,
      [built.report.buildId],
    );
    expect(test.rows).toEqual([{ status: 'pass', message: 'proved by a unique index' }]);
  });

  it('fails the node on a repeated key with a null, naming the model and the key, and publishes nothing', async () => {
    const published = await database.db.pool.query(`select physical_name, data_build from strata_meta.live where node_id = 'model.pairs'`);
    await writeFile(join(project, 'models', 'pairs.sql'), pairsModel(`(1, null::text), (1, null)`));
    const built = await buildProject(database.db, project, { fullRefresh: true });
    expect(built.exitCode).toBe(1);
    expect(built.report.published).toBe(false);
    const node = built.report.nodes.find((n) => n.id === 'model.pairs');
    expect(node?.status).toBe('error');
    expect(node?.error).toMatch(/^Database Error in model pairs \(models\/pairs.sql:1\)/);
    expect(node?.error).toMatch(/\(a, b\)=\(1, null\) is duplicated/);
    expect((await database.db.pool.query(`select physical_name, data_build from strata_meta.live where node_id = 'model.pairs'`)).rows).toEqual(published.rows);
  });
});
