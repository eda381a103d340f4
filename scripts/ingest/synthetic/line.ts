import type { Random } from '../../core/random.ts';

/** One synthetic order line, in the Online Retail layout (what landing.order_lines holds). */
export interface SyntheticLine {
  readonly invoiceNo: string;
  readonly stockCode: string;
  readonly description: string | null;
  readonly quantity: number;
  /** `YYYY-MM-DD HH:MM:00` */
  readonly invoiceDate: string;
  /** GBP with two decimals; may be 0.00 or negative, as in real data */
  readonly unitPrice: string;
  readonly customerId: string | null;
  readonly country: string;
}

/** Shared while generating: the invoice number sequence. */
export interface InvoiceCounter {
  next: number;
}

/** Exact duplicates of a line, as about 1 % of real lines are (double scans, re-sent rows). */
export const DUPLICATE_SHARE = 0.01;

/** Pushes `line`, and now and then an exact copy of it. */
export function pushLine(out: SyntheticLine[], line: SyntheticLine, random: Random): void {
  out.push(line);
  if (random.chance(DUPLICATE_SHARE)) out.push(line);
}
