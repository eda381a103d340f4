import { describe, expect, it } from 'vitest';
import { invoiceKey } from '../../../scripts/ingest/invoice-key.ts';
import { ONLINE_RETAIL } from '../../../scripts/ingest/loader/formats.ts';
import { resolveLayout } from '../../../scripts/ingest/loader/layout.ts';
import { ROW_COLUMNS, rowConverter } from '../../../scripts/ingest/loader/rows.ts';
import { copyLine } from '../../../scripts/ingest/synthetic/format.ts';

const HEADER = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];

describe('invoiceKey (landing.order_lines.invoice_key, what Citus distributes landing and staging by)', () => {
  it("trims what staging's btrim(invoice_no, e' \\t\\r\\n') trims, and nothing else", () => {
    expect(invoiceKey('536365')).toBe('536365');
    expect(invoiceKey(' 536365\t')).toBe('536365');
    expect(invoiceKey('\r\n C536379 \n')).toBe('C536379');
    // inner blanks stay, as in staging; a no-break space is not one of the four
    expect(invoiceKey(' 53 6365 ')).toBe('53 6365');
    expect(invoiceKey('\u00a0536365')).toBe('\u00a0536365');
  });

  it("is '' for a missing or blank invoice: never NULL, which Citus refuses in a distribution column", () => {
    expect(invoiceKey(null)).toBe('');
    expect(invoiceKey('')).toBe('');
    expect(invoiceKey(' \t ')).toBe('');
  });
});

describe('the writers of order lines', () => {
  const convert = rowConverter(resolveLayout('f.csv', HEADER, ONLINE_RETAIL, {}));
  const cells = (fields: string[]): string[] => {
    const out = convert(fields, fields.join(','));
    if (typeof out !== 'string') throw new Error(`rejected: ${out.reason}`);
    return out.split('\t');
  };

  it('the loader writes the key as the last of its COPY columns', () => {
    expect(ROW_COLUMNS.at(-1)).toBe('invoice_key');
    const line = cells([' 536365 ', '85123A', 'HEART', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom']);
    expect(line).toHaveLength(ROW_COLUMNS.length);
    expect(line[0]).toBe(' 536365 '); // the invoice as landed, untrimmed
    expect(line.at(-1)).toBe('536365');
    // no invoice: NULL as landed, '' as key
    expect(cells(['', '85123A', 'HEART', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom']).at(-1)).toBe('');
  });

  it('escapes the key like the invoice when the line needs COPY escapes', () => {
    const fields = ['\t5\\36365', '85123A', 'HEART', '6', '2010-12-01 08:26:00', '2.55', '17850', 'United Kingdom'];
    const out = convert(fields, fields.join(','));
    expect(typeof out === 'string' && out.split('\t').at(-1)).toBe('5\\\\36365');
  });

  it('the generator writes it too', () => {
    const line = { invoiceNo: 'C536379', stockCode: '22633', description: 'X', quantity: -6, invoiceDate: '2010-12-01 08:28:00', unitPrice: '1.85', customerId: null, country: 'United Kingdom' };
    expect(copyLine(line, 7).trimEnd().split('\t').at(-1)).toBe('C536379');
  });
});
