import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../scripts/core/errors.ts';
import { ONLINE_RETAIL, ORDERS, detectFormat } from '../../../scripts/ingest/loader/formats.ts';
import { columnMapOf, parseColumnMap, resolveLayout } from '../../../scripts/ingest/loader/layout.ts';

const UCI = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];

describe('--map parsing', () => {
  it('reads ours=theirs pairs, several per argument or one per argument', () => {
    expect(parseColumnMap(['customer_id=ClientNumber', 'order_id=Ref,order_date=When'])).toEqual({
      customer_id: 'ClientNumber',
      order_id: 'Ref',
      order_date: 'When',
    });
  });

  it('accepts landing and UCI spellings of our names, in any case', () => {
    expect(parseColumnMap(['invoice_no=Ref', 'CUSTOMERID=Client', 'order_total=Total'])).toEqual({
      order_id: 'Ref',
      customer_id: 'Client',
      line_total: 'Total',
    });
  });

  it('keeps their column name exactly (spaces included)', () => {
    expect(parseColumnMap(['customer_id=Client Number'])).toEqual({ customer_id: 'Client Number' });
  });

  it('refuses a pair without =, an unknown name of ours, and a field mapped twice', () => {
    expect(() => parseColumnMap(['customer_id'])).toThrow(UsageError);
    expect(() => parseColumnMap(['customer_id'])).toThrow('expected ours=theirs');
    expect(() => parseColumnMap(['=x'])).toThrow('expected ours=theirs');
    expect(() => parseColumnMap(['client=ClientNumber'])).toThrow(
      '--map client=ClientNumber: strata has no column "client"; its columns are order_id, product_id, description, quantity, order_date, unit_price, customer_id, country, line_total',
    );
    expect(() => parseColumnMap(['customer_id=A', 'CustomerID=B'])).toThrow('customer_id is mapped twice');
    expect(() => columnMapOf({ nope: 'x' })).toThrow(UsageError);
  });
});

describe('layout of a file', () => {
  it('detects the Online Retail layout by its header, else the orders layout', () => {
    expect(detectFormat(UCI).name).toBe('online_retail');
    expect(detectFormat([...UCI].reverse()).name).toBe('online_retail');
    expect(detectFormat(['customer_id', 'order_id']).name).toBe('orders');
    expect(detectFormat(UCI.slice(1)).name).toBe('orders');
  });

  it('finds each field by header name, in any column order', () => {
    const header = ['Country', 'CustomerID', 'UnitPrice', 'InvoiceDate', 'Quantity', 'Description', 'StockCode', 'InvoiceNo'];
    const layout = resolveLayout('f.csv', header, ONLINE_RETAIL, {});
    expect(layout.index).toMatchObject({ order_id: 7, customer_id: 1, country: 0, line_total: -1 });
  });

  it('reads a mapped field from their column', () => {
    const header = ['ClientNumber', 'OrderRef', 'OrderDate', 'Sku', 'Qty', 'Total'];
    const map = parseColumnMap(['customer_id=ClientNumber', 'order_id=OrderRef', 'order_date=OrderDate', 'product_id=Sku', 'quantity=Qty', 'line_total=Total']);
    const layout = resolveLayout('f.csv', header, ORDERS, map);
    expect(layout.index).toMatchObject({ customer_id: 0, order_id: 1, order_date: 2, product_id: 3, quantity: 4, line_total: 5, unit_price: -1, description: -1 });
  });

  it('matches header names ignoring case and surrounding spaces when there is no exact match', () => {
    const layout = resolveLayout('f.csv', [' Customer_ID', 'ORDER_ID', 'order_date', 'product_id', 'line_total'], ORDERS, {});
    expect(layout.index.customer_id).toBe(0);
    expect(layout.index.order_id).toBe(1);
  });

  it('names the missing mapped column and lists the header the file has', () => {
    const run = (): unknown => resolveLayout('data/x.csv', UCI, ONLINE_RETAIL, { customer_id: 'ClientNumber' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(
      'data/x.csv:1: --map customer_id=ClientNumber: the file has no column "ClientNumber"; the file\'s header columns are: "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"',
    );
  });

  it('says which required field has no column and how to map it', () => {
    const header = ['client', 'order_id', 'order_date', 'product_id', 'quantity', 'unit_price'];
    expect(() => resolveLayout('x.csv', header, ORDERS, {})).toThrow(
      'x.csv:1: the orders format needs a column for customer_id (looked for "customer_id"); name yours with --map customer_id=<your column>; the file\'s header columns are: "client"',
    );
  });

  it('needs quantity and unit price, or a line total', () => {
    const header = ['customer_id', 'order_id', 'order_date', 'product_id', 'quantity'];
    expect(() => resolveLayout('x.csv', header, ORDERS, {})).toThrow('needs quantity and unit_price, or line_total');
    expect(resolveLayout('x.csv', [...header, 'line_total'], ORDERS, {}).index.line_total).toBe(5);
  });
});
