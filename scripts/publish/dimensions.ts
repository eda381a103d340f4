/**
 * The customer dimensions a project declares: columns its property files flag with
 * `meta: {dimension: …}` (docs/operations.md, "Dimensions"). Publish writes them into
 * `gold.dimension_columns()`, which `gold.dimensions()` reads; the dashboard's filters and the
 * MCP description read `gold.dimensions()`, so the property files are the one place a
 * dimension is declared.
 */
import { StrataError } from '../core/errors.ts';
import { quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Manifest } from '../core/types.ts';
import { publicRelationOf } from '../plan/relations.ts';

/** One flagged column of a gold model. */
export interface DimensionColumn {
  readonly dimension: string;
  /** the model's public gold view */
  readonly view: string;
  readonly column: string;
}

/**
 * The flagged columns of the manifest's models published in `schema` (gold), by dimension name.
 * A name flagged on two columns is an error naming both: a dimension must have one meaning.
 */
export function dimensionColumns(manifest: Manifest, schema: string): DimensionColumn[] {
  const found = new Map<string, DimensionColumn & { readonly node: string }>();
  for (const node of manifest.nodes) {
    const relation = publicRelationOf(node);
    if (relation.schema !== schema) continue;
    for (const column of node.columns) {
      if (column.dimension === undefined) continue;
      const other = found.get(column.dimension);
      if (other) {
        throw new StrataError(
          `dimension "${column.dimension}" is flagged twice (meta.dimension): ${other.node}.${other.column} and ${node.id}.${column.name}; ` +
            'give one of them another name (meta: {dimension: <name>})',
        );
      }
      found.set(column.dimension, { dimension: column.dimension, view: relation.name, column: column.name, node: node.id });
    }
  }
  return [...found.values()].sort((a, b) => a.dimension.localeCompare(b.dimension)).map(({ dimension, view, column }) => ({ dimension, view, column }));
}

/** `create or replace function <schema>.dimension_columns()` returning the flagged columns. */
export function dimensionColumnsSql(schema: string, columns: readonly DimensionColumn[]): string {
  const rows = columns.length
    ? `values ${columns.map((c) => `(${quoteLiteral(c.dimension)}, ${quoteLiteral(c.view)}, ${quoteLiteral(c.column)})`).join(',\n           ')}`
    : 'select null::text, null::text, null::text where false';
  return `create or replace function ${quoteIdent(schema)}.dimension_columns()
returns table (dimension text, source_view text, source_column text)
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    ${rows}
$$`;
}
