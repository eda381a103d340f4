import { COPY_NULL, copyRaw, copyText, needsCopyEscape } from '../copy-text.ts';
import { INVOICE_KEY_COLUMN, invoiceKey } from '../invoice-key.ts';
import { normalizeDate } from './dates.ts';
import { FIELDS, FIELD_SPECS, type FieldKind } from './formats.ts';
import type { Layout } from './layout.ts';
import { normalizeCustomerId, normalizeInteger, normalizeNumeric } from './numbers.ts';

/** Why a record cannot land; becomes one landing.quarantine row. */
export interface Rejection {
  /** short and fixed, so `group by reason` counts kinds of problem */
  readonly reason: RejectReason;
  /** the file's own column name, when one column is at fault */
  readonly column: string | null;
  readonly value: string | null;
}

export type RejectReason =
  | 'wrong column count'
  | 'bad number'
  | 'bad date'
  | 'bad encoding'
  | 'malformed quoting';

/** Characters that need a closer look: COPY escapes, U+FFFD (undecodable bytes) and NUL. */
export const UNUSUAL = /[\\\t\n\r\u0000\uFFFD]/;
/** PostgreSQL text cannot hold NUL, and U+FFFD marks bytes that were not UTF-8. */
export const UNDECODABLE = /[\u0000\uFFFD]/;

/**
 * Text for landing.quarantine: PostgreSQL text cannot hold NUL, so each NUL is written as the four
 * characters `\x00`; everything else is kept exactly.
 *
 * @example visibleNul('a\u0000b') // 'a\\x00b'
 */
export function visibleNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\x00') : text;
}

/**
 * landing.order_lines columns a converted row fills, in the order convert() writes them: the
 * fields, then the invoice key derived from the order id (scripts/ingest/invoice-key.ts).
 */
export const ROW_COLUMNS: readonly string[] = [...FIELDS.map((f) => FIELD_SPECS[f].column), INVOICE_KEY_COLUMN];

/** Where the order id (landing's invoice_no) is among the fields. */
const ORDER_ID = FIELDS.indexOf('order_id');

/** Turns one record's fields into COPY text for ROW_COLUMNS, or says why it cannot. */
export type RowConverter = (fields: readonly string[], raw: string) => string | Rejection;

/**
 * Builds the converter for one file's layout. Text is kept exactly (no trimming: cleaning is
 * silver's job); an empty field is NULL; numbers and dates are checked and normalised so that
 * PostgreSQL accepts every row it is sent.
 */
export function rowConverter(layout: Layout): RowConverter {
  const width = layout.header.length;
  const indexes = FIELDS.map((f) => layout.index[f]);
  const kinds: readonly FieldKind[] = FIELDS.map((f) => FIELD_SPECS[f].kind);
  const names = indexes.map((i) => (i >= 0 ? layout.header[i]! : null));
  const count = indexes.length;
  let lastDate = '';
  let lastDateOut: string | undefined;

  return (fields, raw) => {
    if (fields.length !== width) {
      return { reason: 'wrong column count', column: null, value: `${fields.length} fields, the header has ${width}` };
    }
    // One scan answers both questions for almost every row: nothing to escape, nothing undecodable.
    let escape = false;
    if (UNUSUAL.test(raw)) {
      if (UNDECODABLE.test(raw)) return encodingRejection(fields, layout.header);
      escape = needsCopyEscape(raw);
    }
    let out = '';
    for (let k = 0; k < count; k++) {
      const i = indexes[k]!;
      const text = i < 0 ? '' : fields[i]!;
      let cell: string | undefined;
      if (text === '') cell = COPY_NULL;
      else {
        switch (kinds[k]) {
          case 'text':
            cell = escape ? copyText(text) : text;
            break;
          case 'customer':
            cell = escape ? copyText(normalizeCustomerId(text)) : normalizeCustomerId(text);
            break;
          case 'integer':
            cell = normalizeInteger(text);
            if (cell === undefined) return { reason: 'bad number', column: names[k]!, value: text };
            break;
          case 'numeric':
            cell = normalizeNumeric(text);
            if (cell === undefined) return { reason: 'bad number', column: names[k]!, value: text };
            break;
          case 'timestamp':
            // The lines of one order share its date: most rows hit this one-entry cache.
            if (text === lastDate) cell = lastDateOut;
            else lastDateOut = cell = normalizeDate(text);
            lastDate = text;
            if (cell === undefined) return { reason: 'bad date', column: names[k]!, value: text };
            break;
        }
      }
      out = k === 0 ? cell! : `${out}\t${cell}`;
    }
    const order = indexes[ORDER_ID]!;
    const key = invoiceKey(order < 0 ? null : fields[order]!);
    return `${out}\t${escape ? copyRaw(key) : key}`;
  };
}

/**
 * The decoder replaced undecodable bytes with U+FFFD. Named by the first column holding one (a
 * correctly encoded U+FFFD in the file is rejected too: it cannot be told apart, and is as suspect).
 */
export function encodingRejection(fields: readonly string[], header: readonly string[]): Rejection {
  const at = fields.findIndex((f) => UNDECODABLE.test(f));
  return { reason: 'bad encoding', column: header[at] ?? null, value: at >= 0 ? fields[at]! : null };
}
