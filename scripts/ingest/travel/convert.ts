import { COPY_NULL, copyText } from '../copy-text.ts';
import { normalizeDate } from '../loader/dates.ts';
import { normalizeInteger, normalizeNumeric } from '../loader/numbers.ts';
import type { Rejection } from '../loader/rows.ts';
import type { TravelColumnKind, TravelTable } from './tables.ts';

/** PostgreSQL text cannot hold NUL, and U+FFFD marks bytes that were not UTF-8. */
const UNDECODABLE = /[\u0000\uFFFD]/;

const BOOLEANS: Readonly<Record<string, string>> = { true: 't', t: 't', '1': 't', false: 'f', f: 'f', '0': 'f' };

/**
 * One value as COPY text for its column, or undefined when the server would refuse it. Text is
 * kept exactly (cleaning is silver's job); an empty field is NULL.
 */
function cell(kind: TravelColumnKind, text: string): string | undefined {
  if (text === '') return COPY_NULL;
  switch (kind) {
    case 'text':
      return copyText(text);
    case 'integer':
      return normalizeInteger(text);
    case 'numeric':
      return normalizeNumeric(text);
    case 'timestamp':
    case 'date':
      return normalizeDate(text);
    case 'boolean':
      return BOOLEANS[text.trim().toLowerCase()];
  }
}

const REASON: Readonly<Record<TravelColumnKind, Rejection['reason'] | undefined>> = {
  text: undefined,
  integer: 'bad number',
  numeric: 'bad number',
  timestamp: 'bad date',
  date: 'bad date',
  boolean: 'bad number',
};

/**
 * Builds the converter for one TravelTide file: the record's fields (in the file's column order,
 * `positions` saying where each landing column is) → COPY text of the landing columns, or the
 * reason the record goes to quarantine. A boolean that is not true/false/t/f/1/0 is quarantined
 * as 'bad number' (the quarantine's reasons are a fixed list shared with the order-lines loader).
 */
export function travelRowConverter(
  table: TravelTable,
  header: readonly string[],
  positions: readonly number[],
): (fields: readonly string[]) => string | Rejection {
  const width = header.length;
  return (fields) => {
    if (fields.length !== width) {
      return { reason: 'wrong column count', column: null, value: `${fields.length} fields, the header has ${width}` };
    }
    const out: string[] = [];
    for (let k = 0; k < table.columns.length; k++) {
      const column = table.columns[k]!;
      const text = fields[positions[k]!]!;
      if (UNDECODABLE.test(text)) return { reason: 'bad encoding', column: header[positions[k]!]!, value: text };
      const value = cell(column.kind, text);
      if (value === undefined) return { reason: REASON[column.kind]!, column: header[positions[k]!]!, value: text };
      out.push(value);
    }
    return out.join('\t');
  };
}
