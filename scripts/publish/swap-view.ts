import type pg from 'pg';
import { StrataError } from '../core/errors.ts';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { ColumnSpec, Relation } from '../core/types.ts';

export interface ViewSpec {
  readonly node: string;
  readonly publicRelation: Relation;
  /** the view's query: a stored node's pointer filter, or a view model's SQL over public views */
  readonly sql: string;
  readonly description?: string;
  readonly columns: readonly ColumnSpec[];
  /** public views strata itself defines (`"schema"."name"`): dropped and redefined by the caller */
  readonly ours?: ReadonlySet<string>;
}

/**
 * Defines one public view, inside the caller's transaction. Only a new node, a changed column
 * layout or a changed view model needs this: publishing a build otherwise moves a pointer and
 * leaves every view as it is (docs/storage.md). `create or replace`
 * keeps the view's identity, so views users built on top of it survive. When the columns changed in
 * a way `create or replace` refuses, the view is recreated, but only if nothing but strata's own
 * public views (`ours`) depends on it: those are dropped with it and returned, for the caller to
 * define again; any other dependent stops the publish, named (dropping it would lose user work).
 * @returns the public views of ours dropped with this one
 */
export async function swapView(client: pg.PoolClient, spec: ViewSpec): Promise<readonly string[]> {
  const target = qualified(spec.publicRelation);
  const body = `create or replace view ${target} as\n${spec.sql}`;
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
    const foreign = dependents.filter((d) => !spec.ours?.has(d));
    if (foreign.length > 0) {
      throw new StrataError(
        `cannot publish ${spec.node}: its columns changed and these views depend on ${target}: ${foreign.join(', ')}. ` +
          `Drop or adapt them, then build again (nothing was published).`,
      );
    }
    await client.query(`drop view ${target}${dependents.length > 0 ? ' cascade' : ''}`);
    await client.query(body);
    await client.query('release savepoint swap_view');
    await comment(client, spec);
    return dependents;
  }
  await client.query('release savepoint swap_view');
  await comment(client, spec);
  return [];
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

/** Every view depending on `view`, directly or through other views, as `qualified` writes them. */
async function dependentViews(client: pg.PoolClient, view: Relation): Promise<string[]> {
  const rows = await client.query<{ schema: string; name: string }>(
    `with recursive dependents(oid) as (
       select distinct r.ev_class from pg_depend d join pg_rewrite r on r.oid = d.objid
        where d.refobjid = $1::regclass and r.ev_class <> d.refobjid
       union
       select r.ev_class from dependents x join pg_depend d on d.refobjid = x.oid
         join pg_rewrite r on r.oid = d.objid where r.ev_class <> d.refobjid
     )
     select n.nspname as schema, c.relname as name
       from dependents x join pg_class c on c.oid = x.oid join pg_namespace n on n.oid = c.relnamespace
      order by 1, 2`,
    [qualified(view)],
  );
  return rows.rows.map((r) => qualified(r));
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
