import { InputError } from '../../core/errors.ts';

/**
 * A file layout that lands in a landing table of its own (not landing.order_lines): one landing
 * column per header column, found by name. Used for sources whose rows are not order lines, such
 * as the airline loyalty programme's members and monthly activity. The batch, lineage, quarantine
 * and once-only rules are the loader's, the same as for order lines.
 */
export interface TableFormat {
  readonly name: string;
  /** the landing table, schema-qualified */
  readonly table: string;
  readonly columns: readonly TableColumn[];
  /** header names that mark a release of the same file this format must not read, with why */
  readonly refuse?: readonly { readonly header: string; readonly reason: string }[];
}

/** How a column's text is checked before it lands (as order lines' fields are). */
export type TableColumnKind = 'text' | 'integer' | 'numeric';

export interface TableColumn {
  /** the file's column name */
  readonly header: string;
  /** the landing column it fills */
  readonly column: string;
  readonly kind: TableColumnKind;
}

/** Where each of a table format's columns sits in one particular file. */
export interface TableLayout {
  readonly format: string;
  readonly table: TableFormat;
  readonly header: readonly string[];
  /** header position feeding each of table.columns, in that order */
  readonly index: readonly number[];
}

/** Header names as exports vary them: case and surrounding spaces do not matter. */
function normalise(name: string): string {
  return name.trim().toLowerCase();
}

/** The table format whose every column the header has, if any (the first that fits). */
export function detectTableFormat(formats: readonly TableFormat[], header: readonly string[]): TableFormat | undefined {
  const names = new Set(header.map(normalise));
  return formats.find((f) => f.columns.every((c) => names.has(normalise(c.header))));
}

/**
 * Finds each column of `format` in the header. Fails, listing the header, when one is missing or
 * the header shows a release the format refuses (e.g. the airline data's earlier activity file).
 */
export function resolveTableLayout(file: string, header: readonly string[], format: TableFormat): TableLayout {
  const listing = `the file's header columns are: ${header.map((h) => JSON.stringify(h)).join(', ')}`;
  const names = header.map(normalise);
  for (const refused of format.refuse ?? []) {
    if (names.includes(normalise(refused.header))) {
      throw new InputError(file, 1, `the ${format.name} format does not read this file: ${refused.reason}`);
    }
  }
  const index = format.columns.map((c) => names.indexOf(normalise(c.header)));
  const missing = format.columns.filter((_, i) => index[i]! < 0).map((c) => JSON.stringify(c.header));
  if (missing.length > 0) {
    throw new InputError(file, 1, `the ${format.name} format needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${listing}`);
  }
  return { format: format.name, table: format, header, index };
}
