import type { Queryable } from './run.ts';

/** The published gold relations and their columns: domain sections appear only when theirs exist. */
export interface GoldCatalog {
  has(table: string, ...columns: string[]): boolean;
  readonly tables: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Reads gold's relations and columns the connecting role can see. */
export async function readGoldCatalog(db: Queryable): Promise<GoldCatalog> {
  const { rows } = await db.query(
    `select c.table_name, c.column_name
       from information_schema.columns as c
      where c.table_schema = 'gold'
      order by c.table_name, c.ordinal_position`,
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows as { table_name: string; column_name: string }[]) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return {
    tables,
    has: (table, ...columns) => {
      const found = tables.get(table);
      return found !== undefined && columns.every((c) => found.has(c));
    },
  };
}
