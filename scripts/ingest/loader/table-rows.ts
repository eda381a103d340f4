import { COPY_NULL, copyText, needsCopyEscape } from '../copy-text.ts';
import { normalizeInteger, normalizeNumeric } from './numbers.ts';
import { UNDECODABLE, UNUSUAL, encodingRejection, type RowConverter } from './rows.ts';
import type { TableLayout } from './table-formats.ts';

/** The COPY statement for a table layout's rows, lineage columns first (as landRows writes them). */
export function tableCopySql(layout: TableLayout): string {
  const columns = layout.table.columns.map((c) => c.column).join(', ');
  return `copy ${layout.table.table} (batch_id, source_file, source_line, ${columns}) from stdin`;
}

/**
 * Builds the converter for one file's table layout: the same checks as order lines (column count,
 * encoding, numbers), text kept exactly, an empty field NULL.
 */
export function tableRowConverter(layout: TableLayout): RowConverter {
  const width = layout.header.length;
  const columns = layout.table.columns;
  const indexes = layout.index;
  return (fields, raw) => {
    if (fields.length !== width) {
      return { reason: 'wrong column count', column: null, value: `${fields.length} fields, the header has ${width}` };
    }
    let escape = false;
    if (UNUSUAL.test(raw)) {
      if (UNDECODABLE.test(raw)) return encodingRejection(fields, layout.header);
      escape = needsCopyEscape(raw);
    }
    const cells: string[] = [];
    for (let k = 0; k < columns.length; k++) {
      const i = indexes[k]!;
      const text = fields[i]!;
      if (text === '') {
        cells.push(COPY_NULL);
        continue;
      }
      const kind = columns[k]!.kind;
      const cell = kind === 'text' ? (escape ? copyText(text) : text) : kind === 'integer' ? normalizeInteger(text) : normalizeNumeric(text);
      if (cell === undefined) return { reason: 'bad number', column: layout.header[i]!, value: text };
      cells.push(cell);
    }
    return cells.join('\t');
  };
}
