import type pg from 'pg';
import type { PlannedTest } from '../core/types.ts';

/**
 * True when a valid unique index on exactly these columns (any order; no expression, no `where`)
 * exists on the tested relation: then no two rows share a value, which is what `unique` and
 * `unique_combination_of_columns` check, and the test passes without a scan. Nulls: `unique`
 * ignores null values, as the index does; `unique_combination_of_columns` groups nulls together,
 * so for several columns the index must treat nulls as equal (`nulls not distinct`) or every
 * column must be `not null`. Views have no indexes, so their tests still run.
 */
export async function provedByUniqueIndex(pool: pg.Pool, test: PlannedTest): Promise<boolean> {
  const check = test.check;
  if (check?.kind !== 'unique') return false;
  const columns = check.columns.map(plainColumn);
  if (columns.some((c) => c === undefined)) return false;
  const found = await pool.query<{ proved: boolean }>(
    `select exists (
       select 1
         from pg_index as i
        where i.indrelid = to_regclass($1)
          and i.indisunique and i.indisvalid and i.indnkeyatts = $3
          and i.indpred is null and i.indexprs is null
          and (select array_agg(a.attname::text order by a.attname::text)
                 from pg_attribute as a
                where a.attrelid = i.indrelid and a.attnum = any (i.indkey[0:i.indnkeyatts - 1]))
              = (select array_agg(c order by c) from unnest($2::text[]) as c)
          and ($3 = 1 or i.indnullsnotdistinct or not exists (
                select 1 from pg_attribute as a
                 where a.attrelid = i.indrelid and a.attnum = any (i.indkey[0:i.indnkeyatts - 1]) and not a.attnotnull))
     ) as proved`,
    [check.subject, columns, new Set(columns).size],
  );
  return found.rows[0]?.proved ?? false;
}

/** The column name a test's column text stands for, or undefined for an expression. */
function plainColumn(text: string): string | undefined {
  if (/^[a-z_][a-z0-9_$]*$/.test(text)) return text;
  const quoted = /^"((?:[^"]|"")+)"$/.exec(text);
  return quoted ? quoted[1]!.replaceAll('""', '"') : undefined;
}
