import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { clusterDown, clusterLayout, clusterUp, coordinatorUrl, type Cluster } from '../../scripts/citus/cluster.ts';
import { ensureCitus, type PgInstall } from '../../scripts/citus/install.ts';
import { runRollback } from '../../scripts/cli/rollback.ts';
import { compileSelection } from '../../scripts/cli/session.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { openTestProjectDb } from '../support/build.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testTargetDir } from '../support/scratch.ts';

/** The project itself, as every Citus test builds it. */
export const PROJECT = join(import.meta.dirname, '..', '..');

/** A Citus cluster of a test's own and a plain PostgreSQL database beside it, both migrated. */
export interface Pair {
  readonly citusDb: Database;
  readonly singleDb: Database;
  /** the pair's temporary folder (removed by close) */
  readonly dir: string;
  /** stops the cluster, drops the plain database, removes the folder */
  close(): Promise<void>;
}

/**
 * Starts a coordinator and two workers on `port`..`port + 2` in a temporary folder (so a
 * developer's `npm run citus -- up` cluster, and another test file's, are left alone) and creates a
 * plain PostgreSQL test database named after `name`; opens the project's database on each.
 */
export async function startPair(name: string, port: number): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), `strata-${name}-`));
  const cluster: Cluster = clusterLayout(join(dir, 'cluster'), port);
  const pgi: PgInstall = await ensureCitus(PROJECT, () => {});
  let single: TestDatabase | undefined;
  let citusDb: Database | undefined;
  let singleDb: Database | undefined;
  const close = async (): Promise<void> => {
    await citusDb?.close();
    await singleDb?.close();
    await single?.drop();
    await clusterDown(cluster, pgi, true, () => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await clusterUp(cluster, pgi, () => {});
    citusDb = await openTestProjectDb(coordinatorUrl(cluster), PROJECT);
    single = await createTestDatabase(name);
    singleDb = await openTestProjectDb(single.url, PROJECT);
    return { citusDb, singleDb, dir, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** Columns that record when or in which build a row was written (and the snapshot id hashed from that time), not what it says. */
const WHEN = /(^|_)(build|built|fitted|published|loaded|recorded|valid_from|valid_to|updated|scd_id)(_|$)|_at$/;

/** One row: its columns (sorted, `WHEN` columns left out) and a sort key with numbers to 6 significant digits. */
interface Row {
  readonly key: string;
  readonly value: Record<string, unknown>;
}

/** Every row of a relation, without the `WHEN` columns, sorted by a key that rounds numbers. */
async function rowsOf(db: Database, relation: string): Promise<Row[]> {
  // `offset 0` keeps the view's rows a subquery Citus collects first: a whole-row reference to a
  // view over distributed tables is sent to the workers as the view's row type, which exists on
  // the coordinator only ('type "gold.churn_features" does not exist'; docs/scale-out.md)
  const { rows } = await db.pool.query<{ r: Record<string, unknown> }>(`select row_to_json(t) as r from (select * from ${relation} offset 0) t`);
  const strip = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.keys(o).filter((k) => !WHEN.test(k)).sort().map((k) => [k, o[k]]));
  const rounded = (v: unknown): unknown =>
    typeof v === 'number' ? Number(v.toPrecision(6)) : Array.isArray(v) ? v.map(rounded) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)])) : v;
  return rows
    .map(({ r }) => {
      const value = strip(r);
      return { key: JSON.stringify(rounded(value)), value };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Relative tolerance for floating figures: sums over shards add in another order than on one node. */
const RELATIVE = 1e-9;

/** Two values are the same, numbers to RELATIVE (deep, for arrays and objects). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= RELATIVE * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

export type Gold = Record<string, Row[]>;

/**
 * Every gold view's rows, by view name; `stored`: only the views of stored nodes (a view model such
 * as data_quality_counts reads landing as it is now, so a batch loaded after a build shows in it at
 * once, by design).
 */
export async function goldOf(db: Database, stored = false): Promise<Gold> {
  const gold = await db.pool.query<{ name: string }>(
    stored
      ? `select public_name as name from strata_meta.live where public_schema = 'gold' and kind = 'stored' order by 1`
      : `select table_name as name from information_schema.views where table_schema = 'gold' order by 1`,
  );
  const out: Gold = {};
  for (const { name } of gold.rows) out[name] = await rowsOf(db, `gold."${name}"`);
  return out;
}

/**
 * Gold of `b` against gold of `a`, view by view: the same number of rows and every row the same,
 * floating figures to 1e-9 relative (the first differing row of a view is shown).
 */
export function expectSameGold(a: Gold, b: Gold): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  expect(Object.keys(a).length).toBeGreaterThan(10);
  for (const [name, rows] of Object.entries(a)) {
    const other = b[name]!;
    expect({ name, rows: other.length }).toEqual({ name, rows: rows.length });
    const differing = rows.filter((row, i) => !same(row.value, other[i]!.value));
    const first = differing[0];
    expect({ name, differing: differing.length, first: first?.value, there: first && other[rows.indexOf(first)]!.value }).toEqual({
      name,
      differing: 0,
      first: undefined,
      there: undefined,
    });
  }
}

/**
 * How Citus holds a published node's rows: its parent's distribution method and column (`h:col`),
 * `reference` (a build's view of a reference table), or `local`.
 */
export async function layoutOf(db: Database, node: string): Promise<string> {
  const { rows } = await db.pool.query<{ layout: string }>(
    `select coalesce(
              (select d.partmethod::text || ':' || column_to_column_name(d.logicalrelid, d.partkey)
                 from pg_inherits i join pg_dist_partition d on d.logicalrelid = i.inhparent where i.inhrelid = c.oid),
              (select 'reference' from pg_rewrite r join pg_depend dep on dep.objid = r.oid
                 join pg_dist_partition d on d.logicalrelid = dep.refobjid and d.partmethod = 'n'
                where r.ev_class = c.oid limit 1),
              'local') as layout
       from strata_meta.live l
       join pg_namespace n on n.nspname = l.physical_schema
       join pg_class c on c.relnamespace = n.oid and c.relname = l.physical_name
      where l.node_id = $1`,
    [node],
  );
  expect(rows, `${node} has no published relation`).toHaveLength(1);
  return rows[0]!.layout;
}

/** `npm run rollback` of the project (or of `projectDir`): its exit code. */
export async function rollback(db: Database, projectDir = PROJECT): Promise<number> {
  const compiled = await compileSelection({ projectDir, select: [], exclude: [], vars: {}, threads: 1, fullRefresh: false }, undefined, testTargetDir());
  return runRollback(compiled, db, () => {});
}

/** What the BI role gets from a query: 'ok' or the error's message. */
export async function asBi(db: Database, sql: string): Promise<string> {
  const client = await db.pool.connect();
  try {
    await client.query('set role strata_bi');
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.query('reset role').catch(() => {});
    client.release();
  }
}
