import type pg from 'pg';
import { quoteIdent } from '../core/sql.ts';
import type { PlannedTest } from '../core/types.ts';
import { isScoped } from '../plan/scoped-tests.ts';

/**
 * True when a valid unique index on exactly these columns (any order; no expression) proves the
 * tested relation has no two rows sharing a value, which is what `unique` and
 * `unique_combination_of_columns` check: then the test passes without a scan. Nulls: `unique`
 * ignores null values, as the index does; `unique_combination_of_columns` groups nulls together,
 * so for several columns the index must treat nulls as equal (`nulls not distinct`), or every
 * column must be `not null`, or no row of the subject may hold a null in them (a filtering scan).
 *
 * The relation is a table, or a build's view of a stored node (docs/storage.md): a view whose one
 * base table is a partition in `strata_store`, showing some of its rows under their own column
 * names. A unique index over all of the partition's rows proves any subset of them unique; a
 * partial one over the current row versions (`where _strata_to is null`, how incremental models'
 * indexes are made) proves it when the view shows only current versions. Other views (view
 * models) still run their tests.
 */
export async function provedByUniqueIndex(pool: pg.Pool, test: PlannedTest): Promise<boolean> {
  const check = test.check;
  if (check?.kind !== 'unique') return false;
  const columns = check.columns.map(plainColumn);
  if (columns.some((c) => c === undefined)) return false;
  const indexed = await indexedRelation(pool, check.subject);
  if (indexed === undefined) return false;
  // the matching unique index, if any, and whether nulls in its columns leave the test open
  const found = await pool.query<{ nullable: boolean }>(
    `select $3 > 1 and not i.indnullsnotdistinct and exists (
              select 1 from pg_attribute as a
               where a.attrelid = i.indrelid and a.attnum = any (i.indkey[0:i.indnkeyatts - 1]) and not a.attnotnull) as nullable
       from pg_index as i
      where i.indrelid = $1::oid
        and i.indisunique and i.indisvalid and i.indnkeyatts = $3
        and (i.indpred is null or pg_get_expr(i.indpred, i.indrelid) = $4)
        and i.indexprs is null
        and (select array_agg(a.attname::text order by a.attname::text)
               from pg_attribute as a
              where a.attrelid = i.indrelid and a.attnum = any (i.indkey[0:i.indnkeyatts - 1]))
            = (select array_agg(c order by c) from unnest($2::text[]) as c)
      order by nullable
      limit 1`,
    [indexed.oid, columns, new Set(columns).size, indexed.currentOnly ? CURRENT_VERSIONS : null],
  );
  const index = found.rows[0];
  if (index === undefined) return false;
  if (!index.nullable) return true;
  // a test scoped to what the build touched reads only that; the scan below would read every row
  if (isScoped(test)) return false;
  // Several columns, nulls distinct, some of them nullable (a table made by `create table … as`
  // has no NOT NULL columns): the index lets rows with a null in a key column repeat, which the
  // test counts as equal. It proves the test when no row has one: a scan that only filters, where
  // the test itself groups every row (staging's 9.9 M lines at 10 M: 126.5 s in a full build).
  const anyNull = columns.map((c) => `${quoteIdent(c!)} is null`).join(' or ');
  const nulls = await pool.query<{ found: boolean }>(`select exists (select 1 from ${check.subject} where ${anyNull}) as found`);
  return nulls.rows[0]?.found === false;
}

/** A view definition (pg_get_viewdef) whose first condition, and-ed with any others, is `_strata_to is null`. */
const SHOWS_CURRENT = /WHERE \(*\(?_strata_to IS NULL\)(?: AND |\)*;?\s*$)/;

/** A partial index's predicate, as pg_get_expr prints it, over the current row versions. */
const CURRENT_VERSIONS = '(_strata_to IS NULL)';

/**
 * The table whose indexes speak for `subject`: the subject itself when it is a table, the one
 * `strata_store` partition a build view reads otherwise (with whether the view shows only current
 * row versions), or undefined.
 */
async function indexedRelation(pool: pg.Pool, subject: string): Promise<{ oid: number; currentOnly: boolean } | undefined> {
  const found = await pool.query<{ kind: string; oid: string; bases: string[] | null; in_store: boolean | null; definition: string | null }>(
    `select c.relkind::text as kind, c.oid::text as oid,
            case when c.relkind = 'v' then pg_get_viewdef(c.oid) end as definition,
            (select array_agg(distinct d.refobjid::text)
               from pg_rewrite as r
               join pg_depend as d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
              where r.ev_class = c.oid and d.refobjid <> c.oid) as bases,
            (select bool_and(b.relnamespace = 'strata_store'::regnamespace and b.relkind = 'r')
               from pg_rewrite as r
               join pg_depend as d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
               join pg_class as b on b.oid = d.refobjid
              where r.ev_class = c.oid and d.refobjid <> c.oid) as in_store
       from pg_class as c where c.oid = to_regclass($1)`,
    [subject],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  if (row.kind === 'r' || row.kind === 'm') return { oid: Number(row.oid), currentOnly: false };
  if (row.kind !== 'v' || row.bases?.length !== 1 || row.in_store !== true) return undefined;
  return { oid: Number(row.bases[0]), currentOnly: SHOWS_CURRENT.test(row.definition ?? '') };
}

/** The column name a test's column text stands for, or undefined for an expression. */
export function plainColumn(text: string): string | undefined {
  if (/^[a-z_][a-z0-9_$]*$/.test(text)) return text;
  const quoted = /^"((?:[^"]|"")+)"$/.exec(text);
  return quoted ? quoted[1]!.replaceAll('""', '"') : undefined;
}
