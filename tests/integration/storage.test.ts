import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { applyRetention } from '../../scripts/publish/retention.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, fixture, useProjectDatabase, whyNot } from '../support/build.ts';
import { testTargetDir } from '../support/scratch.ts';

// The storage design (docs/storage.md) on a small project with every kind of stored node:
// incremental append, delete+insert and merge models, check and timestamp snapshots, tables, a
// view and a `pii` view.
const PROJECT = fixture('storage');
const BI = 'storage_bi';

/** A database of the describe block's own, for the storage project, with its source table. */
function useStorageDatabase(label: string): { readonly db: Database; readonly url: string } {
  const storage = useProjectDatabase(label, PROJECT);
  beforeAll(async () => {
    await storage.db.pool.query(`
      create schema storage_src;
      create table storage_src.orders (order_id int, customer_id int, amount numeric, updated_at timestamp, batch int)`);
  });
  return storage;
}

/** One batch: `fresh` new orders after the last one, and the orders `restated` with new amounts. */
async function land(db: Database, batch: number, fresh: number, restated: readonly number[]): Promise<void> {
  await db.pool.query(
    `insert into storage_src.orders
     select o, o % 9 + 1, o * 1.5 + $1::int, timestamp '2024-01-01' + make_interval(days => $1::int), $1::int
       from generate_series((select coalesce(max(order_id), 0) + 1 from storage_src.orders),
                            (select coalesce(max(order_id), 0) + $2::int from storage_src.orders)) as o
     union all
     select o, o % 9 + 1, o * 2.5 + $1::int, timestamp '2024-01-01' + make_interval(days => $1::int), $1::int
       from unnest($3::int[]) as o`,
    [batch, fresh, restated],
  );
}

async function rollback(db: Database): Promise<number> {
  const compiled = await compileSelection({ projectDir: PROJECT, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
  return runRollback(compiled, db, () => {});
}

/** Every public relation's rows, as a checksum per relation. */
async function checksums(db: Database): Promise<Record<string, string>> {
  const live = await db.pool.query<{ name: string }>(
    `select format('%I.%I', public_schema, public_name) as name from strata_meta.live order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of live.rows) {
    const r = await db.pool.query<{ sum: string }>(
      `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) || ':' || count(*) as sum from ${name} as t`,
    );
    out[name] = r.rows[0]!.sum;
  }
  return out;
}

const canRead = async (db: Database, relation: string): Promise<boolean> =>
  (await db.pool.query<{ ok: boolean }>(`select has_table_privilege($1, $2, 'select') as ok`, [BI, relation])).rows[0]!.ok;

// compared row for row with a full refresh: the snapshots by their current versions (a full
// refresh starts their history again); gold.marks appends by design and is left out
const COMPARED: Record<string, string> = {
  'silver.order_lines': '*',
  'silver.orders_latest': '*',
  'silver.customer_totals': '*',
  'gold.customer_history': `customer_id, total from gold.customer_history where dbt_valid_to is null`,
  'gold.order_history': `order_id, customer_id, amount, updated_at, dbt_scd_id, dbt_valid_from from gold.order_history where dbt_valid_to is null`,
};
const selectOf = (relation: string): string => {
  const columns = COMPARED[relation]!;
  return columns === '*' ? `* from ${relation}` : columns;
};

/** Checksums of the compared selects (snapshot times differ from build to build by design). */
async function comparedSums(db: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const relation of Object.keys(COMPARED)) {
    const r = await db.pool.query<{ sum: string }>(
      `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) || ':' || count(*) as sum from (select ${selectOf(relation)}) as t`,
    );
    out[relation] = r.rows[0]!.sum;
  }
  return out;
}

describe('incremental storage: load, build, load, build, rollback, build, failed build, build', () => {
  const storage = useStorageDatabase('storage_sequence');

  it('keeps every guarantee and ends equal to a full refresh, row for row', async () => {
    await land(storage.db, 1, 40, []);
    const b1 = await buildProject(storage.db, PROJECT);
    expect(b1.exitCode, whyNot(b1)).toBe(0);
    const after1 = await checksums(storage.db);
    // issue 13: the pii view is never readable by the BI role; gold tables are
    expect(await canRead(storage.db, 'gold.customer_contacts')).toBe(false);
    expect(await canRead(storage.db, 'gold.totals')).toBe(true);
    expect(await canRead(storage.db, 'silver.customer_totals')).toBe(false);

    await land(storage.db, 2, 20, [1, 2, 3, 4, 5]);
    const b2 = await buildProject(storage.db, PROJECT);
    expect(b2.exitCode, whyNot(b2)).toBe(0);
    expect(b2.report.nodes.find((n) => n.id === 'model.order_lines')!.rows).toBe(25);
    const after2 = await comparedSums(storage.db);
    expect(after2['silver.order_lines']).not.toBe(after1['silver.order_lines']);

    // rollback shows the older build's rows exactly, and keeps the BI rule
    expect(await rollback(storage.db)).toBe(0);
    expect(await checksums(storage.db)).toEqual(after1);
    expect(await canRead(storage.db, 'gold.customer_contacts')).toBe(false);
    expect(await canRead(storage.db, 'gold.totals')).toBe(true);

    // a build after the rollback starts from build 1's rows; build 2 is discarded
    const b3 = await buildProject(storage.db, PROJECT);
    expect(b3.exitCode, whyNot(b3)).toBe(0);
    expect(await canRead(storage.db, 'gold.customer_contacts')).toBe(false);
    expect(await comparedSums(storage.db)).toEqual(after2);
    const after3 = await checksums(storage.db);
    const discarded = await storage.db.pool.query('select build_id from strata_meta.builds where discarded');
    expect(discarded.rows.map((r) => Number(r.build_id))).toEqual([b2.report.buildId]);

    // a failed build after an incremental change: published rows exactly as they were, its own
    // row versions written but invisible
    await land(storage.db, 3, 10, [41, 42, 43, 1]);
    const failed = await buildProject(storage.db, PROJECT, { vars: { break_test: true } });
    expect(failed.exitCode).toBe(1);
    expect(failed.report.blockedBy).toMatch(/break_on_request/);
    expect(await checksums(storage.db)).toEqual(after3);
    const own = await storage.db.pool.query<{ n: number }>(
      `select count(*)::int as n from strata_store.${await partitionOf(storage.db, 'model.order_lines')} where _strata_from = $1`,
      [failed.report.buildId],
    );
    expect(own.rows[0]!.n).toBe(14);

    // the next build is correct: it drops the failed build's versions and adds the batch again
    const b5 = await buildProject(storage.db, PROJECT);
    expect(b5.exitCode, whyNot(b5)).toBe(0);
    expect(b5.report.nodes.find((n) => n.id === 'model.order_lines')!.rows).toBe(14);
    expect((await storage.db.pool.query('select count(*)::int as n from silver.order_lines')).rows[0].n).toBe(40 + 25 + 14);

    // incremental = full refresh, row for row
    await storage.db.pool.query('create schema compare');
    for (const relation of Object.keys(COMPARED)) {
      await storage.db.pool.query(`create table compare."${relation}" as select ${selectOf(relation)}`);
    }
    const full = await buildProject(storage.db, PROJECT, { fullRefresh: true });
    expect(full.exitCode, whyNot(full)).toBe(0);
    for (const relation of Object.keys(COMPARED)) {
      const diff = await storage.db.pool.query<{ n: number }>(
        `select count(*)::int as n from (
           (select * from compare."${relation}" except all select ${selectOf(relation)})
           union all
           (select ${selectOf(relation)} except all select * from compare."${relation}")) d`,
      );
      expect({ relation, differing: diff.rows[0]!.n }).toEqual({ relation, differing: 0 });
    }
    expect(await canRead(storage.db, 'gold.customer_contacts')).toBe(false);
  });

  it('readers prune to the published partition at run time', async () => {
    const plan = await storage.db.pool.query<{ 'QUERY PLAN': string }>('explain (analyze, costs off, timing off, summary off) select * from gold.totals');
    const lines = plan.rows.map((r) => r['QUERY PLAN']);
    const scans = lines.filter((l) => /Scan on gold__totals__/.test(l));
    // the kept builds' partitions are planned, but only the published one is read
    expect(scans.length).toBeGreaterThan(1);
    expect(scans.filter((l) => !l.includes('(never executed)'))).toHaveLength(1);
  });

  it('retention keeps the partitions of kept builds only and compacts superseded versions', async () => {
    const parts = await storage.db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_inherits i join pg_class p on p.oid = i.inhparent where p.relname like 'gold__totals__%'`,
    );
    // keep_builds: 3, plus nothing else (failed and discarded builds' partitions are gone)
    expect(parts.rows[0]!.n).toBeLessThanOrEqual(3);
    const superseded = await storage.db.pool.query<{ n: number }>(
      `select count(*)::int as n from strata_store.${await partitionOf(storage.db, 'model.orders_latest')} where _strata_to is not null`,
    );
    // the full refresh started a new partition for orders_latest: nothing in it is superseded
    expect(superseded.rows[0]!.n).toBe(0);
  });

  it("a new partition's row-version indexes start empty, and serve the later builds' look-ups", async () => {
    // the partition of order_lines comes from the full refresh above: every row is its own
    const partition = await partitionOf(storage.db, 'model.order_lines');
    const gen = Number((await storage.db.pool.query(`select gen from strata_meta.live where node_id = 'model.order_lines'`)).rows[0].gen);
    const defs = await storage.db.pool.query<{ def: string }>(
      `select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = $1::regclass`,
      [`strata_store.${partition}`],
    );
    expect(defs.rows.map((r) => r.def)).toContainEqual(expect.stringContaining(`(_strata_from) WHERE (_strata_from > ${gen})`));
    const plan = async (sql: string): Promise<string> => {
      const client = await storage.db.pool.connect();
      try {
        await client.query('begin; set local enable_seqscan = off');
        const r = await client.query<{ 'QUERY PLAN': string }>(`explain (costs off) ${sql}`);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await client.query('rollback');
        client.release();
      }
    };
    // a whole read through the public view cannot choose it, even with sequential scans
    // discouraged; the rows of a later build are found through it
    expect(await plan('select count(*) from silver.order_lines')).not.toMatch(/strata_from_idx/);
    await land(storage.db, 4, 5, [2]);
    const next = await buildProject(storage.db, PROJECT);
    expect(next.exitCode, whyNot(next)).toBe(0);
    expect(await plan(`select * from strata_store.${partition} where _strata_to is null and _strata_from = ${next.report.buildId}`)).toMatch(/strata_from_idx/);
    const added = await storage.db.pool.query<{ n: number }>(
      `select count(*)::int as n from strata_store.${partition} where _strata_from = $1`,
      [next.report.buildId],
    );
    expect(added.rows[0]!.n).toBe(6);
  });
});

async function partitionOf(db: Database, node: string): Promise<string> {
  const r = await db.pool.query<{ name: string }>(`select format('%I', physical_name) as name from strata_meta.live where node_id = $1`, [node]);
  return r.rows[0]!.name;
}

describe('statistics after an incremental build', () => {
  const storage = useStorageDatabase('storage_stats');

  it('a batch large against the partition is analysed in its build; a small one is left to autovacuum', async () => {
    await land(storage.db, 1, 40, []);
    const first = await buildProject(storage.db, PROJECT);
    expect(first.exitCode, whyNot(first)).toBe(0);
    const partition = await partitionOf(storage.db, 'model.order_lines');
    // only the build may analyse it: autovacuum could do the same any time
    await storage.db.pool.query(`alter table strata_store.${partition} set (autovacuum_enabled = false)`);
    const known = async (): Promise<number> =>
      Number((await storage.db.pool.query(`select reltuples from pg_class where oid = 'strata_store.${partition}'::regclass`)).rows[0].reltuples);
    expect(await known()).toBe(40);

    await land(storage.db, 2, 2000, []);
    const large = await buildProject(storage.db, PROJECT);
    expect(large.exitCode, whyNot(large)).toBe(0);
    expect(await known()).toBe(2040);

    // 100 rows: under 50 + 10% of 2,040
    await land(storage.db, 3, 100, []);
    const small = await buildProject(storage.db, PROJECT);
    expect(small.exitCode, whyNot(small)).toBe(0);
    expect(await known()).toBe(2040);
  });
});

describe('retention beside a reader that just opened a transaction', () => {
  const storage = useStorageDatabase('storage_retention');

  it('leaves a parent with a partition pending detach alone, and finalizes it once the reader is gone', async () => {
    for (let batch = 1; batch <= 3; batch++) {
      await land(storage.db, batch, 5, []);
      const built = await buildProject(storage.db, PROJECT);
      expect(built.exitCode, whyNot(built)).toBe(0);
    }
    const partitions = async (): Promise<{ name: string; pending: boolean }[]> =>
      (await storage.db.pool.query<{ name: string; pending: boolean }>(
        `select c.relname as name, i.inhdetachpending as pending from pg_inherits i
           join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
          where p.relname like 'gold__totals__%' order by 1`,
      )).rows;
    expect(await partitions()).toHaveLength(3);
    // a reader opens a transaction on gold.totals just now (not yet "held": under a second)
    const reader = new pg.Client({ connectionString: storage.url });
    await reader.connect();
    await reader.query('begin');
    await reader.query('select count(*) from gold.totals');
    try {
      // keep one build: two partitions of gold.totals to drop. The first one's detach waits for
      // the reader and is left pending; PostgreSQL refuses a second one on the same parent, so
      // the second waits for a later pass (before, that refusal failed the build after its publish)
      const latest = Number((await storage.db.pool.query('select max(build_id) as b from strata_meta.builds')).rows[0].b);
      await applyRetention(storage.db.pool, 1, latest, 300);
      const during = await partitions();
      expect(during).toHaveLength(3);
      expect(during.filter((p) => p.pending)).toHaveLength(1);
    } finally {
      await reader.query('commit');
      await reader.end();
    }
    const latest = Number((await storage.db.pool.query('select max(build_id) as b from strata_meta.builds')).rows[0].b);
    await applyRetention(storage.db.pool, 1, latest, 300);
    expect(await partitions()).toEqual([expect.objectContaining({ pending: false })]);
    expect((await storage.db.pool.query('select count(*)::int as n from gold.totals')).rows[0].n).toBe(1);
  });
});

describe('readers during publishes', () => {
  const storage = useStorageDatabase('storage_readers');

  it('20 builds publish while a reader loop runs and another reader holds a gold view open; no errors, no mixed reads', async () => {
    await land(storage.db, 1, 40, []);
    const first = await buildProject(storage.db, PROJECT, { vars: { marker: 1 } });
    expect(first.exitCode, whyNot(first)).toBe(0);

    const holder = new pg.Client({ connectionString: storage.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select count(*) from gold.totals'); // holds gold.totals until the end

    const reader = new pg.Client({ connectionString: storage.url });
    await reader.connect();
    const problems: string[] = [];
    const seen = new Set<number>();
    let reads = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          // one statement over several public views: it must see one whole build
          const r = await reader.query<{ marker: number; total: string; lines: string; latest: string; marks: number; max_mark: number }>(
            `select t.marker, t.total,
                    (select sum(total) from silver.customer_totals) as lines,
                    (select sum(amount) from silver.orders_latest) as latest,
                    (select count(*)::int from gold.marks where marker = t.marker) as marks,
                    (select max(marker) from gold.marks) as max_mark
               from gold.totals as t`,
          );
          const row = r.rows[0]!;
          reads++;
          seen.add(row.marker);
          if (row.total !== row.lines || row.total !== row.latest) problems.push(`totals ${row.total} / ${row.lines} / ${row.latest}`);
          if (row.marks !== 10 || row.max_mark !== row.marker) problems.push(`marks ${row.marks} of build marker ${row.marker}, max ${row.max_mark}`);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    })();

    const outcomes: number[] = [];
    for (let marker = 2; marker <= 21; marker++) {
      await land(storage.db, marker, 3, [marker]);
      const outcome = await buildProject(storage.db, PROJECT, { vars: { marker } });
      if (outcome.exitCode !== 0) problems.push(whyNot(outcome));
      outcomes.push(outcome.exitCode);
    }
    stop = true;
    await loop;
    const held = await holder.query<{ n: string }>('select count(*) as n from gold.totals');
    await holder.query('commit');
    await holder.end();
    await reader.end();

    expect(problems).toEqual([]);
    expect(outcomes).toEqual(Array.from({ length: 20 }, () => 0));
    expect(reads).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(held.rows[0]!.n).toBe('1');
    expect((await storage.db.pool.query('select marker from gold.totals')).rows).toEqual([{ marker: 21 }]);
  });
});

describe('a column change in a stored node that a view model reads', () => {
  const storage = useStorageDatabase('storage_columns');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-storage-'));
    await cp(PROJECT, dir, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('redefines the view model with it, and the pii rule still holds', async () => {
    await land(storage.db, 1, 20, []);
    const first = await buildProject(storage.db, dir);
    expect(first.exitCode, whyNot(first)).toBe(0);
    const edit = async (file: string, from: string, to: string) =>
      writeFile(join(dir, file), (await readFile(join(dir, file), 'utf8')).replace(from, to));
    // a renamed column: `create or replace view` refuses, so silver.customer_totals is recreated,
    // and gold.customer_contacts, which reads it, with it
    await edit('models/silver/customer_totals.sql', 'count(*) as orders', 'count(*) as order_count');
    await edit('models/gold/totals.sql', 'sum(orders)', 'sum(order_count)');
    const second = await buildProject(storage.db, dir, { fullRefresh: true });
    expect(second.exitCode, whyNot(second)).toBe(0);
    expect((await storage.db.pool.query('select sum(order_count)::int as n from silver.customer_totals')).rows).toEqual([{ n: 20 }]);
    expect((await storage.db.pool.query('select count(*)::int as n from gold.customer_contacts')).rows).toEqual([{ n: 9 }]);
    expect(await canRead(storage.db, 'gold.customer_contacts')).toBe(false);
    expect(await canRead(storage.db, 'gold.totals')).toBe(true);

    // once no kept build uses the old layout, its partitions and its parent are dropped
    const parents = async () => (await storage.db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
        where s.nspname = 'strata_store' and c.relkind = 'p' and c.relname like 'silver__customer_totals__%'`)).rows[0]!.n;
    expect(await parents()).toBe(2);
    for (let i = 0; i < 3; i++) expect((await buildProject(storage.db, dir)).exitCode).toBe(0);
    expect(await parents()).toBe(1);
  });

  it('an incremental model that now reads a column its published rows lack: nothing published, and the error says what to do', async () => {
    const edit = async (file: string, from: string, to: string) =>
      writeFile(join(dir, file), (await readFile(join(dir, file), 'utf8')).replace(from, to));
    await edit('models/silver/order_lines.sql', 'select order_id, customer_id, amount, updated_at, batch', 'select order_id, customer_id, amount, updated_at, batch, amount * 100 as cents');
    await edit('models/silver/order_lines.sql', 'from {{ this }})', 'from {{ this }} where cents >= 0)');
    const published = (await storage.db.pool.query('select max(data_build)::int as id from strata_meta.live')).rows[0].id;
    const stopped = await buildProject(storage.db, dir);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.report.published).toBe(false);
    expect(whyNot(stopped)).toContain('column "cents" does not exist');
    expect(whyNot(stopped)).toContain('what to do: an incremental build of order_lines reads a column its published rows may not have');
    expect(whyNot(stopped)).toContain('npm run build-models -- --full-refresh --select +order_lines+');
    expect((await storage.db.pool.query('select max(data_build)::int as id from strata_meta.live')).rows[0].id).toBe(published);
    // what it says works, and incremental builds go on from there
    const rebuilt = await buildProject(storage.db, dir, { fullRefresh: true, select: ['+order_lines+'] });
    expect(rebuilt.exitCode, whyNot(rebuilt)).toBe(0);
    await land(storage.db, 90, 5, []);
    const next = await buildProject(storage.db, dir);
    expect(next.exitCode, whyNot(next)).toBe(0);
    expect((await storage.db.pool.query('select count(*)::int as n from silver.order_lines where cents = amount * 100')).rows[0].n).toBeGreaterThan(20);
  });
});
