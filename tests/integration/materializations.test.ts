import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlannedNode } from '../../scripts/core/types.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { stepsFor, type Step } from '../../scripts/execute/materializations/index.ts';
import { storeOutput } from '../../scripts/execute/materializations/store.ts';
import { goldenCase } from '../golden/materializations/cases.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * Runs each golden case's statements on a real PostgreSQL and checks the rows they leave.
 * The runner below follows the executor's contract: one transaction per node, `with-columns`
 * answered from the catalog, the output stored (a partition in strata_store, the build's view of
 * it) and recorded. `published(schema)` reads a build's rows as its public view would.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('materializations');
  await runMigrations(db.pool);
});
afterAll(async () => db?.drop());

beforeEach(async () => {
  await db.pool.query(`
    drop schema if exists src, gold__b000001, gold__b000002, strata_store cascade;
    delete from strata_meta.build_outputs; delete from strata_meta.builds;
    insert into strata_meta.builds (build_id, project, command, invoked_by) values (1, 't', 'build', 't'), (2, 't', 'build', 't');
    create schema strata_store; create schema src; create schema gold__b000001; create schema gold__b000002;
    create table src.customers (customer_id int, amount numeric, updated_at timestamp);
    insert into src.customers values (1, 10, '2024-01-01'), (2, 20, '2024-01-01'), (3, 30, '2024-01-01');`);
});

async function run(planned: PlannedNode): Promise<number | null> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    let rows: number | null = null;
    for (const step of stepsFor(planned)) rows = (await runStep(client, step)) ?? rows;
    await storeOutput(client, planned);
    await client.query('commit');
    return rows;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function runStep(client: pg.PoolClient, step: Step): Promise<number | null> {
  if (step.kind === 'sql') {
    const result = await client.query(step.sql);
    return step.countsRows ? result.rowCount : null;
  }
  // distributing is Citus's (tests/citus); on plain PostgreSQL it does nothing
  if (step.kind === 'distribute') return null;
  if (step.kind === 'by-engine') {
    let rows: number | null = null;
    for (const next of step.plain) rows = (await runStep(client, next)) ?? rows;
    return rows;
  }
  const columns = await client.query<{ attname: string }>(
    'select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum',
    [`"${step.of.schema}"."${step.of.name}"`],
  );
  let rows: number | null = null;
  for (const next of step.next(columns.rows.map((r) => r.attname))) rows = (await runStep(client, next)) ?? rows;
  return rows;
}

async function rows(sql: string): Promise<unknown[]> {
  return (await db.pool.query(sql)).rows;
}

/**
 * The rows node `name` shows at `build` (1 or 2), through the public view definition recorded
 * for that build, with the pointer (strata_meta.live) set to that build.
 */
async function published(name: string, build: number): Promise<string> {
  const out = await db.pool.query<{ node_id: string; view_sql: string; gen: string; data_build: string }>(
    'select node_id, view_sql, gen, data_build from strata_meta.build_outputs where build_id = $1 and node_id = $2', [build, `model.${name}`]);
  const o = out.rows[0]!;
  await db.pool.query(
    `insert into strata_meta.live (node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build)
     values ($1, 'stored', 'gold', $2, $3, '', '', $4, $5)
     on conflict (node_id) do update set view_sql = excluded.view_sql, gen = excluded.gen, data_build = excluded.data_build`,
    [o.node_id, name, o.view_sql, o.gen, o.data_build]);
  return `(${o.view_sql}) as v`;
}

const first = (name: string): PlannedNode => goldenCase(name).planned;
/** The first build of a later-build case: same node, into b000001, nothing published yet. */
const firstOf = (name: string): PlannedNode => {
  const { previous: _previous, ...p } = goldenCase(name).planned;
  const sql = 'select customer_id, amount, updated_at\nfrom "src"."customers"';
  return { ...p, buildId: 1, sql, target: { schema: 'gold__b000001', name: p.node.name }, isIncremental: false };
};

/** A new day: customer 2 changed (newer updated_at), 4 is new, 3 left the source. */
const newDay = `
  update src.customers set amount = 25, updated_at = '2024-01-03' where customer_id = 2;
  insert into src.customers values (4, 40, '2024-01-02');
  delete from src.customers where customer_id = 3;`;

describe('view, table, materialized view', () => {
  it('view', async () => {
    expect(await run(first('view'))).toBeNull();
    expect(await rows(`select relkind from pg_class where oid = 'gold__b000001.customers'::regclass`)).toEqual([{ relkind: 'v' }]);
    expect(await rows('select count(*)::int as n from gold__b000001.customers')).toEqual([{ n: 3 }]);
  });

  it('table with indexes', async () => {
    expect(await run(first('table_with_indexes'))).toBe(3);
    // the table became a partition in strata_store, its indexes with it; the build reads a view of it
    expect(await rows(`select indexdef from pg_indexes where schemaname = 'strata_store' order by indexdef`)).toEqual([
      { indexdef: expect.stringMatching(/^CREATE INDEX gold_customers_b1_\d ON strata_store\.gold__customers__\w+__b1 USING brin \(updated_at\)$/) },
      { indexdef: expect.stringMatching(/^CREATE UNIQUE INDEX gold_customers_b1_\d ON strata_store\.gold__customers__\w+__b1 USING btree \(customer_id\)$/) },
    ]);
    expect(await rows(`select relkind from pg_class where oid = 'gold__b000001.customers'::regclass`)).toEqual([{ relkind: 'v' }]);
    expect(await rows(`select count(*)::int as n from ${await published('customers', 1)}`)).toEqual([{ n: 3 }]);
  });

  it('sql_header runs first in the node transaction: its set local holds for the model, and ends with it', async () => {
    const base = first('table_with_indexes');
    const planned: PlannedNode = {
      ...base,
      sql: `select 1 as customer_id, current_setting('strata.header_check', true) as seen`,
      node: { ...base.node, config: { ...base.node.config, indexes: [], sqlHeader: `set local strata.header_check = 'on'` } },
    };
    expect(await run(planned)).toBe(1);
    expect(await rows(`select seen from ${await published('customers', 1)}`)).toEqual([{ seen: 'on' }]);
    const after = await rows(`select current_setting('strata.header_check', true) as v`);
    expect(after).not.toEqual([{ v: 'on' }]);
  });

  it('materialized view: stored as a partition per build, publishing is the refresh', async () => {
    expect(await run(first('materialized_view'))).toBe(3);
    expect(await rows(`select count(*)::int as n from pg_indexes where schemaname = 'strata_store'`)).toEqual([{ n: 1 }]);
    expect(await rows(`select count(*)::int as n from ${await published('customers', 1)}`)).toEqual([{ n: 3 }]);
  });
});

describe('incremental', () => {
  const current = (schema: string) =>
    rows(`select customer_id, amount::int from ${schema}.customers order by customer_id, amount`);
  const publishedAt = async (build: number) =>
    rows(`select customer_id, amount::int from ${await published('customers', build)} order by customer_id, amount`);

  /** build 1 of the case's own model (its own indexes), then a new day in the source */
  const start = async (name: string) => {
    expect(await run(firstOf(name))).toBe(3);
    await db.pool.query(newDay);
  };
  beforeEach(async (context) => {
    if (!context.task.name.startsWith('append')) await start('incremental_merge');
  });

  it('append adds row versions of build 2; build 1 still shows its rows exactly', async () => {
    await start('incremental_append');
    expect(await run(goldenCase('incremental_append').planned)).toBe(2);
    expect(await current('gold__b000002')).toEqual([
      { customer_id: 1, amount: 10 }, { customer_id: 2, amount: 20 }, { customer_id: 2, amount: 25 },
      { customer_id: 3, amount: 30 }, { customer_id: 4, amount: 40 },
    ]);
    expect(await publishedAt(2)).toEqual(await current('gold__b000002'));
    expect(await publishedAt(1)).toHaveLength(3);
  });

  it('delete+insert replaces rows by key, never copying the table', async () => {
    expect(await run(goldenCase('incremental_delete_insert').planned)).toBe(2);
    expect(await current('gold__b000002')).toEqual([
      { customer_id: 1, amount: 10 }, { customer_id: 2, amount: 25 }, { customer_id: 3, amount: 30 }, { customer_id: 4, amount: 40 },
    ]);
    // one partition, holding 3 versions of build 1 and 2 of build 2 (one superseding customer 2)
    expect(await rows(`select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        join pg_namespace s on s.oid = c.relnamespace where s.nspname = 'strata_store'`)).toEqual([{ n: 1 }]);
    expect(await publishedAt(2)).toEqual(await current('gold__b000002'));
    expect(await publishedAt(1)).toEqual([
      { customer_id: 1, amount: 10 }, { customer_id: 2, amount: 20 }, { customer_id: 3, amount: 30 },
    ]);
  });

  it('merge updates matched keys and inserts new ones', async () => {
    expect(await run(goldenCase('incremental_merge').planned)).toBe(2);
    expect(await current('gold__b000002')).toEqual([
      { customer_id: 1, amount: 10 }, { customer_id: 2, amount: 25 }, { customer_id: 3, amount: 30 }, { customer_id: 4, amount: 40 },
    ]);
    expect(await publishedAt(1)).toEqual([{ customer_id: 1, amount: 10 }, { customer_id: 2, amount: 20 }, { customer_id: 3, amount: 30 }]);
  });

  it('a build that never published leaves nothing behind for the next one', async () => {
    await run(goldenCase('incremental_merge').planned);
    // build 2 did not publish: build 3 starts again from build 1's rows
    await db.pool.query(`insert into strata_meta.builds (build_id, project, command, invoked_by) values (3, 't', 'build', 't')`);
    const p2 = goldenCase('incremental_merge').planned;
    await db.pool.query('drop schema if exists gold__b000003 cascade; create schema gold__b000003');
    expect(await run({ ...p2, buildId: 3, target: { schema: 'gold__b000003', name: 'customers' },
      sql: p2.sql!.replaceAll('gold__b000002', 'gold__b000003') })).toBe(2);
    expect(await current('gold__b000003')).toEqual([
      { customer_id: 1, amount: 10 }, { customer_id: 2, amount: 25 }, { customer_id: 3, amount: 30 }, { customer_id: 4, amount: 40 },
    ]);
    expect(await publishedAt(3)).toEqual(await current('gold__b000003'));
    expect(await rows(`select count(*)::int as n from strata_store.${(p2.previous!.partition.name)} where _strata_from = 2`)).toEqual([{ n: 0 }]);
  });

  it('leaves no temporary table behind', async () => {
    await run(goldenCase('incremental_merge').planned);
    expect(await rows(`select count(*)::int as n from pg_class where relname like '__strata_new_%'`)).toEqual([{ n: 0 }]);
  });
});

describe('snapshot', () => {
  const history = (schema: string) =>
    rows(`select customer_id, amount::int, dbt_valid_from::text as valid_from, dbt_valid_to::text as valid_to
          from ${schema}.customer_history order by customer_id, dbt_valid_from`);

  it('timestamp: a changed row gets a new version and the old one is closed at its updated_at', async () => {
    expect(await run(first('snapshot_timestamp_first'))).toBe(3);
    expect(await history('gold__b000001')).toEqual([
      { customer_id: 1, amount: 10, valid_from: '2024-01-01 00:00:00', valid_to: null },
      { customer_id: 2, amount: 20, valid_from: '2024-01-01 00:00:00', valid_to: null },
      { customer_id: 3, amount: 30, valid_from: '2024-01-01 00:00:00', valid_to: null },
    ]);
    await db.pool.query(newDay);
    expect(await run(goldenCase('snapshot_timestamp').planned)).toBe(2);
    expect(await history('gold__b000002')).toEqual([
      { customer_id: 1, amount: 10, valid_from: '2024-01-01 00:00:00', valid_to: null },
      { customer_id: 2, amount: 20, valid_from: '2024-01-01 00:00:00', valid_to: '2024-01-03 00:00:00' },
      { customer_id: 2, amount: 25, valid_from: '2024-01-03 00:00:00', valid_to: null },
      // hard deletes ignored: 3 stays current
      { customer_id: 3, amount: 30, valid_from: '2024-01-01 00:00:00', valid_to: null },
      { customer_id: 4, amount: 40, valid_from: '2024-01-02 00:00:00', valid_to: null },
    ]);
    const ids = await rows('select count(distinct dbt_scd_id)::int as n from gold__b000002.customer_history');
    expect(ids).toEqual([{ n: 5 }]);
    expect(await published('customer_history', 1).then((v) => rows(`select * from ${v}`))).toHaveLength(3);
  });

  it('check with invalidate: only checked columns make versions; vanished keys are closed', async () => {
    expect(await run(firstOf('snapshot_check_invalidate'))).toBe(3);
    await db.pool.query(`${newDay}
      update src.customers set updated_at = '2024-01-05' where customer_id = 1;`);
    expect(await run(goldenCase('snapshot_check_invalidate').planned)).toBe(2);
    const h = (await history('gold__b000002')) as { customer_id: number; amount: number; valid_from: string; valid_to: string | null }[];
    expect(h.map((r) => [r.customer_id, r.amount, r.valid_to === null])).toEqual([
      [1, 10, true], // updated_at is not a check column: no new version
      [2, 20, false],
      [2, 25, true],
      [3, 30, false], // left the source: invalidated
      [4, 40, true],
    ]);
    // the old version of 2 ends exactly where the new one begins (one snapshot time per build)
    expect(h[1]!.valid_to).toBe(h[2]!.valid_from);
    expect(h[3]!.valid_to).toBe(h[2]!.valid_from);
  });
});
