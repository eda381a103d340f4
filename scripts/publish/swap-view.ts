import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { ColumnSpec, Relation } from '../core/types.ts';

export interface ViewSpec {
  readonly node: string;
  readonly publicRelation: Relation;
  readonly physical: Relation;
  readonly description?: string;
  readonly columns: readonly ColumnSpec[];
}

/**
 * Points one public view at a physical object, inside the caller's transaction. `create or replace`
 * keeps the view's identity, so views users built on top of it survive. When the columns changed in
 * a way `create or replace` refuses, the view is recreated, but only if nothing depends on it;
 * otherwise the publish stops and names the dependent views (dropping them would lose user work).
 */
export async function swapView(client: pg.PoolClient, spec: ViewSpec): Promise<void> {
  const target = qualified(spec.publicRelation);
  const body = `create or replace view ${target} as select * from ${qualified(spec.physical)}`;
  await assertNotATable(client, spec);
  await client.query('savepoint swap_view');
  try {
    await client.query(body);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P16: columns renamed/dropped; 42804: a column type changed
    if (code !== '42P16' && code !== '42804') throw error;
    await client.query('rollback to savepoint swap_view');
    const dependents = await dependentViews(client, spec.publicRelation);
    if (dependents.length > 0) {
      throw new StrataError(
        `cannot publish ${spec.node}: its columns changed and these views depend on ${target}: ${dependents.join(', ')}. ` +
          `Drop or adapt them, then build again (nothing was published).`,
      );
    }
    await client.query(`drop view ${target}`);
    await client.query(body);
  }
  await client.query('release savepoint swap_view');
  await comment(client, spec);
}

async function assertNotATable(client: pg.PoolClient, spec: ViewSpec): Promise<void> {
  const found = await client.query<{ relkind: string }>(
    `select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
    [spec.publicRelation.schema, spec.publicRelation.name],
  );
  const kind = found.rows[0]?.relkind;
  if (kind !== undefined && kind !== 'v') {
    throw new StrataError(
      `cannot publish ${spec.node}: ${qualified(spec.publicRelation)} exists and is not a view (relkind ${kind}); ` +
        `public layer schemas hold only strata's views`,
    );
  }
}

async function dependentViews(client: pg.PoolClient, view: Relation): Promise<string[]> {
  const rows = await client.query<{ name: string }>(
    `select distinct dependent.oid::regclass::text as name
       from pg_depend d
       join pg_rewrite r on r.oid = d.objid
       join pg_class dependent on dependent.oid = r.ev_class
      where d.refobjid = $1::regclass and dependent.oid <> d.refobjid`,
    [qualified(view)],
  );
  return rows.rows.map((r) => r.name);
}

/** Descriptions from schema.yml become comments, so BI tools show the docs. */
async function comment(client: pg.PoolClient, spec: ViewSpec): Promise<void> {
  const target = qualified(spec.publicRelation);
  await client.query(`comment on view ${target} is ${spec.description ? quoteLiteral(spec.description) : 'null'}`);
  const existing = await client.query<{ attname: string }>(
    `select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped`,
    [target],
  );
  const names = new Set(existing.rows.map((r) => r.attname));
  for (const column of spec.columns) {
    if (!column.description || !names.has(column.name)) continue;
    await client.query(`comment on column ${target}.${quoteIdent(column.name)} is ${quoteLiteral(column.description)}`);
  }
}
