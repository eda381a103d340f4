import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import { buildProject, useProjectDatabase, whyNot } from '../support/build.ts';
import { scratchDir, testTargetDir } from '../support/scratch.ts';

// A snapshot or incremental model whose inputs are the versions the published build's run of it
// read would change nothing (execute/keep-unchanged.ts): its query is not run again, and it still
// forgets the row versions a build that did not publish left behind.

const SCHEMA = `version: 2
project:
  name: snapshot_unchanged
  bi_role: snapshot_unchanged_bi
  vars:
    break_test: false
models:
  - name: history
    description: People's totals over time (snapshot, check).
  - name: latest
    description: People's totals (incremental, delete+insert).
`;

const PEOPLE = 'id,total\n1,10\n2,20\n3,30\n';

describe('a snapshot or incremental model whose inputs did not change', () => {
  let project = '';
  beforeAll(async () => {
    project = scratchDir('snapshot-unchanged');
    for (const dir of ['models', 'seeds', 'tests/data']) await mkdir(join(project, dir), { recursive: true });
    await writeFile(join(project, 'schema.yml'), SCHEMA);
    await writeFile(join(project, 'seeds', 'people.csv'), PEOPLE);
    await writeFile(
      join(project, 'models', 'history.sql'),
      `{{ config(materialized='snapshot', unique_key='id', strategy='check', check_cols=['total']) }}\nselect id, total from {{ ref('people') }} where public.snapshot_read()\n`,
    );
    await writeFile(
      join(project, 'models', 'latest.sql'),
      `{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete+insert') }}\nselect id, total from {{ ref('people') }} where public.snapshot_read()\n`,
    );
    // fails when the build is run with --vars '{break_test: true}'
    await writeFile(join(project, 'tests', 'data', 'break_on_request.sql'), `select * from {{ ref('people') }} where {{ var('break_test') }}\n`);
  });
  const database = useProjectDatabase('snapshot_unchanged', () => project);
  beforeAll(async () => {
    // each row the models' queries read leaves a row here: a model not run reads none
    await database.db.pool.query(`
      create table public.snapshot_reads (n int);
      create function public.snapshot_read() returns boolean language sql volatile as
        'insert into public.snapshot_reads values (1); select true'`);
  });

  const build = async (vars: Record<string, unknown> = {}) => buildProject(database.db, project, { vars });
  const history = async () =>
    (await database.db.pool.query<{ row: string }>(`select t::text as row from analytics.history as t order by t::text`)).rows.map((r) => r.row);
  const reads = async () => (await database.db.pool.query<{ n: number }>('select count(*)::int as n from public.snapshot_reads')).rows[0]!.n;
  const node = (outcome: Awaited<ReturnType<typeof build>>, id = 'model.history') => outcome.report.nodes.find((n) => n.id === id)!;
  const latest = async () =>
    (await database.db.pool.query<{ row: string }>(`select t::text as row from analytics.latest as t order by t::text`)).rows.map((r) => r.row);

  it('records no change and is not compared again, forgets an unpublished build, and records the next change', async () => {
    const first = await build();
    expect(first.exitCode, whyNot(first)).toBe(0);
    const published = await history();
    expect(published).toHaveLength(3);

    // nothing new: kept as of the published build, the same rows, its query not run
    const readBefore = await reads();
    expect(readBefore).toBe(6);
    const latestRows = await latest();
    const again = await build();
    expect(again.exitCode, whyNot(again)).toBe(0);
    expect(node(again)).toMatchObject({ status: 'success', rows: 0, keptFrom: first.report.buildId });
    expect(node(again, 'model.latest')).toMatchObject({ status: 'success', rows: 0, keptFrom: first.report.buildId });
    expect(await reads()).toBe(readBefore);
    expect(await history()).toEqual(published);

    // a changed total in a build that fails: its row versions are written but never shown
    await writeFile(join(project, 'seeds', 'people.csv'), PEOPLE.replace('2,20', '2,25'));
    const failed = await build({ break_test: true });
    expect(failed.exitCode).toBe(1);
    expect(node(failed).keptFrom).toBeUndefined();
    const leftover = async (id = 'model.history') => {
      const partition = await database.db.pool.query<{ name: string }>(
        `select format('%I.%I', physical_schema, physical_name) as name from strata_meta.live where node_id = $1`, [id]);
      const found = await database.db.pool.query<{ n: number }>(`select count(*)::int as n from ${partition.rows[0]!.name} where _strata_from = $1`, [failed.report.buildId]);
      return found.rows[0]!.n;
    };
    // person 2's closed version and its new current one; in latest, every row again (delete+insert of all)
    expect(await leftover()).toBe(2);
    expect(await leftover('model.latest')).toBe(3);
    expect(await history()).toEqual(published);

    // the seed as it was: the inputs are the published run's again, so no comparison, but the
    // failed build's version is forgotten
    await writeFile(join(project, 'seeds', 'people.csv'), PEOPLE);
    const back = await build();
    expect(back.exitCode, whyNot(back)).toBe(0);
    expect(node(back)).toMatchObject({ rows: 0, keptFrom: again.report.buildId });
    expect(node(back, 'model.latest')).toMatchObject({ rows: 0, keptFrom: again.report.buildId });
    // the failed build read the seed's rows once for each model; this build, not at all
    expect(await reads()).toBe(readBefore + 6);
    expect(await latest()).toEqual(latestRows);
    expect(await leftover()).toBe(0);
    expect(await leftover('model.latest')).toBe(0);
    expect(await history()).toEqual(published);

    // a real change is recorded as before
    await writeFile(join(project, 'seeds', 'people.csv'), PEOPLE.replace('3,30', '3,35'));
    const changed = await build();
    expect(changed.exitCode, whyNot(changed)).toBe(0);
    expect(node(changed).keptFrom).toBeUndefined();
    const rows = await database.db.pool.query<{ id: number; total: number; current: boolean }>(
      `select id, total, dbt_valid_to is null as current from analytics.history order by id, dbt_valid_from`,
    );
    expect(rows.rows.map((r) => [Number(r.id), Number(r.total), r.current])).toEqual([[1, 10, true], [2, 20, true], [3, 30, false], [3, 35, true]]);

    // rolled back to the build before, whose inputs are the seed as it was: the record of that
    // build's run outlives the retention of later builds, so the next build need not compare
    const compiled = await compileSelection({ projectDir: project, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
    expect(await runRollback(compiled, database.db, () => {})).toBe(0);
    await writeFile(join(project, 'seeds', 'people.csv'), PEOPLE);
    const reads0 = await reads();
    const afterRollback = await build();
    expect(afterRollback.exitCode, whyNot(afterRollback)).toBe(0);
    expect(node(afterRollback)).toMatchObject({ rows: 0, keptFrom: back.report.buildId });
    expect(await reads()).toBe(reads0);
    expect(await history()).toEqual(published);
  });
});
