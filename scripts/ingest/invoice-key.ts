/**
 * landing.order_lines.invoice_key (migration 13): the invoice number as silver's staging reads
 * it, written by every writer of order lines beside the invoice as landed. Citus distributes
 * landing and staging by it (docs/scale-out.md), so it must never be NULL, and it is the
 * writers' (not a generated column: Citus refuses one as a distribution column).
 */

/** The blanks staging's trim rule removes from the ends of a text: `btrim(x, e' \t\r\n')`. */
const END_BLANKS = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** The column's name, for COPY column lists. */
export const INVOICE_KEY_COLUMN = 'invoice_key';

/**
 * The invoice as staging trims it (space, tab, CR and LF at either end), or '' when nothing is
 * left or there is none: `coalesce(btrim(invoice_no, e' \t\r\n'), '')`, what migration 13
 * backfilled. Equal keys for the invoices staging takes as equal, so partitioning staging's
 * duplicate window by it first changes no result.
 *
 * @example invoiceKey(' 536365\t') // '536365'
 * @example invoiceKey(null) // ''
 */
export function invoiceKey(invoiceNo: string | null): string {
  if (invoiceNo === null || invoiceNo === '') return '';
  // almost every invoice has nothing to trim: two character tests instead of a regex per line
  if (!isBlank(invoiceNo.charCodeAt(0)) && !isBlank(invoiceNo.charCodeAt(invoiceNo.length - 1))) return invoiceNo;
  return invoiceNo.replace(END_BLANKS, '');
}

/** space, tab, LF, CR */
function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}
