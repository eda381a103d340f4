import type { Layout } from './layout.ts';
import { ROW_COLUMNS, rowConverter, type RowConverter } from './rows.ts';
import type { TableLayout } from './table-formats.ts';
import { tableCopySql, tableRowConverter } from './table-rows.ts';

/** A file's layout: order lines (landing.order_lines), or a table format with a landing table of its own. */
export type AnyLayout = Layout | TableLayout;

/** Where a layout's rows land: the COPY statement and the converter feeding it. */
export interface LandingTarget {
  /** the landing table, schema-qualified (landing.order_lines), for messages */
  readonly table: string;
  readonly copySql: string;
  readonly convert: RowConverter;
}

/** True for a table format's layout. */
export function isTableLayout(layout: AnyLayout): layout is TableLayout {
  return 'table' in layout;
}

/** The COPY and row converter for a layout. */
export function landingTarget(layout: AnyLayout): LandingTarget {
  if (isTableLayout(layout)) return { table: layout.table.table, copySql: tableCopySql(layout), convert: tableRowConverter(layout) };
  return {
    table: 'landing.order_lines',
    copySql: `copy landing.order_lines (batch_id, source_file, source_line, ${ROW_COLUMNS.join(', ')}) from stdin`,
    convert: rowConverter(layout),
  };
}
