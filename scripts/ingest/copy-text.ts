/**
 * PostgreSQL COPY text format (the default `COPY … FROM STDIN`): one line per row, columns
 * separated by a tab, `\N` for NULL, and backslash escapes for the four characters that would
 * break the layout. Text format rather than CSV because building it needs no quoting decision
 * per field, which is the cheapest thing to do millions of times.
 */

/** The COPY text spelling of NULL. */
export const COPY_NULL = '\\N';

// Backslash first in the class is irrelevant to the regex, but the replacement must map each
// character on its own so that an escaped backslash is never escaped twice.
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A text value as one COPY text field. The empty string becomes NULL: in the CSV files we read an
 * empty field means "no value", as it does for PostgreSQL's own CSV COPY.
 *
 * @example copyText('a\tb') // 'a\\tb'
 */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return COPY_NULL;
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}

/** True when `text` holds a character that copyText would escape (one test for a whole line). */
export function needsCopyEscape(text: string): boolean {
  return SPECIAL.test(text);
}

/** A text value that is never NULL (raw lines, file names), escaped for COPY text. */
export function copyRaw(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}
