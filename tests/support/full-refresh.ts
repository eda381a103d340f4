import { expect } from 'vitest';
import type { Database } from '../../scripts/db/connect.ts';
import { buildProject, whyNot, type BuildOptions } from './build.ts';

/**
 * Asserts that the incrementally built rows of `compared` (node id → the columns to compare, or
 * '*') equal, row for row (multiset), what a `--full-refresh` build of the same data gives. Rows
 * are read through the PUBLIC views (a build schema's view shows a partition's current rows only),
 * kept aside in a schema of their own, then compared with `except all` both ways.
 */
export async function expectIncrementalEqualsFullRefresh(
  db: Database,
  projectDir: string,
  compared: Readonly<Record<string, string>>,
  options: BuildOptions = {},
): Promise<void> {
  const one = async <T>(sql: string): Promise<T> => (await db.pool.query(sql)).rows[0] as T;
  const publicOf = async (node: string): Promise<string> =>
    (await one<{ name: string }>(`select format('%I.%I', public_schema, public_name) as name from strata_meta.live where node_id = '${node}'`)).name;
  await db.pool.query('drop schema if exists before_full_refresh cascade');
  await db.pool.query('create schema before_full_refresh');
  for (const [node, columns] of Object.entries(compared)) {
    await db.pool.query(`create table before_full_refresh."${node}" as select ${columns} from ${await publicOf(node)}`);
  }
  const rebuilt = await buildProject(db, projectDir, { ...options, fullRefresh: true });
  expect(rebuilt.exitCode, whyNot(rebuilt)).toBe(0);
  for (const [node, columns] of Object.entries(compared)) {
    const now = await publicOf(node);
    const diff = await one<{ n: number; rows: number }>(
      `select (select count(*)::int from (
                 (select * from before_full_refresh."${node}" except all select ${columns} from ${now})
                 union all
                 (select ${columns} from ${now} except all select * from before_full_refresh."${node}")
               ) d) as n,
              (select count(*)::int from before_full_refresh."${node}") as rows`,
    );
    expect({ node, differing: diff.n }).toEqual({ node, differing: 0 });
    expect(diff.rows, `${node} has rows to compare`).toBeGreaterThan(0);
  }
}
