import { COPY_NULL, copyRaw, copyText } from '../copy-text.ts';
import { invoiceKey } from '../invoice-key.ts';
import type { SyntheticLine } from './line.ts';

/** The Online Retail CSV header, which `--out` files carry. */
export const CSV_HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/**
 * The line as COPY text for landing.order_lines, after the batch and file columns:
 * source_line, invoice_no, stock_code, description, quantity, invoice_date, unit_price,
 * customer_id, country, line_total (always NULL: synthetic lines have quantity and price),
 * invoice_key (scripts/ingest/invoice-key.ts).
 */
export function copyLine(line: SyntheticLine, sourceLine: number): string {
  return `${sourceLine}\t${line.invoiceNo}\t${copyText(line.stockCode)}\t${copyText(line.description)}\t${line.quantity}\t${line.invoiceDate}\t${line.unitPrice}\t${line.customerId ?? COPY_NULL}\t${copyText(line.country)}\t${COPY_NULL}\t${copyRaw(invoiceKey(line.invoiceNo))}\n`;
}

/** The line as one CSV record of the Online Retail layout (RFC 4180 quoting only where needed). */
export function csvLine(line: SyntheticLine): string {
  return `${line.invoiceNo},${csvField(line.stockCode)},${csvField(line.description ?? '')},${line.quantity},${line.invoiceDate},${line.unitPrice},${line.customerId ?? ''},${csvField(line.country)}\n`;
}

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
