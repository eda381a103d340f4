import type pg from 'pg';
import type { Operation } from '../load/operations.ts';

/**
 * describe_gold's answer: the published build and when it was published, every gold view with
 * its description and columns (type, the dimension a column is when the property files declare
 * one, and description, from the comments publish writes), the declared dimensions, and
 * the operations. Catalog reads run as the BI role, so it describes exactly what that role can
 * read; the publication record (strata_meta, which the role cannot read) comes from the owner.
 */
export async function describeGold(owner: pg.Pool, bi: pg.Pool, operations: readonly Operation[], table?: string): Promise<string> {
  const publication = await owner.query<{ build_id: string; published_at: Date; kind: string }>(
    `select build_id, published_at, kind from strata_meta.publications order by publication_id desc limit 1`,
  );
  const views = await bi.query<{ name: string; description: string | null; columns: { name: string; type: string; description: string | null }[] }>(
    `select c.relname as name, obj_description(c.oid, 'pg_class') as description,
            json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                       'description', col_description(c.oid, a.attnum)) order by a.attnum) as columns
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'gold'
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('v', 'r', 'm') and has_table_privilege(c.oid, 'select')
        and ($1::text is null or c.relname = $1)
      group by c.oid, c.relname order by c.relname`,
    [table ?? null],
  );
  const dimensions = await declaredDimensions(bi);
  const head = publication.rows[0];
  const lines = [
    head
      ? `Published build ${head.build_id}, ${head.kind === 'rollback' ? 'rolled back to' : 'published'} at ${head.published_at.toISOString()}.`
      : 'Nothing is published yet.',
    'Schema gold (read-only views; amounts are in the data\'s currency; times in days unless a column says otherwise):',
  ];
  if (table && views.rows.length === 0) return `There is no gold view named ${table} that you can read. Call describe_gold without a table to list them.`;
  for (const view of views.rows) {
    lines.push('', `gold.${view.name}: ${oneLine(view.description)}`);
    for (const column of view.columns) {
      const dimension = dimensions.get(`${view.name}.${column.name}`);
      lines.push(`  - ${column.name} (${column.type}${dimension ? `; dimension ${dimension}` : ''}): ${oneLine(column.description)}`);
    }
  }
  if (!table && dimensions.size > 0) {
    lines.push('', `Dimensions (the \`dimension\` argument of the operations): ${[...dimensions.values()].sort().join(', ')}.`);
  }
  if (!table) {
    lines.push('', 'Operations (SQL functions in gold; each is also a tool here):');
    for (const op of operations.filter((o) => !o.internal)) {
      lines.push(`  - gold.${op.name}(${op.arguments.map((a) => `${a.name} ${a.type}`).join(', ')}): ${oneLine(op.description)}`);
    }
  }
  return lines.join('\n');
}

function oneLine(text: string | null): string {
  return (text ?? '(no description)').replace(/\s+/g, ' ').trim();
}

/**
 * The customer dimensions the property files declare (gold.dimensions()), keyed by
 * `view.column`; none when the operations are not installed.
 */
async function declaredDimensions(bi: pg.Pool): Promise<Map<string, string>> {
  const installed = await bi.query<{ present: boolean }>(`select to_regprocedure('gold.dimensions()') is not null as present`);
  if (!installed.rows[0]?.present) return new Map();
  const { rows } = await bi.query<{ dimension: string; source_view: string; source_column: string }>(
    'select dimension, source_view, source_column from gold.dimensions()',
  );
  return new Map(rows.map((r) => [`${r.source_view}.${r.source_column}`, r.dimension]));
}
