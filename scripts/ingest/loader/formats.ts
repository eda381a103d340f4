/**
 * The file layouts the loader reads. Both land in the same columns of `landing.order_lines`;
 * a format only says which header name feeds which of strata's fields by default.
 */

/** strata's own names for what an order line carries (the `orders` format's header). */
export const FIELDS = [
  'order_id',
  'product_id',
  'description',
  'quantity',
  'order_date',
  'unit_price',
  'customer_id',
  'country',
  'line_total',
] as const;

export type Field = (typeof FIELDS)[number];

/** How a field's text is checked before it lands. */
export type FieldKind = 'text' | 'customer' | 'integer' | 'numeric' | 'timestamp';

export interface FieldSpec {
  /** the landing.order_lines column it fills */
  readonly column: string;
  readonly kind: FieldKind;
  /** other names a `--map` key may use for this field (landing and UCI spellings) */
  readonly aliases: readonly string[];
}

export const FIELD_SPECS: Readonly<Record<Field, FieldSpec>> = {
  order_id: { column: 'invoice_no', kind: 'text', aliases: ['invoice_no', 'InvoiceNo'] },
  product_id: { column: 'stock_code', kind: 'text', aliases: ['stock_code', 'StockCode'] },
  description: { column: 'description', kind: 'text', aliases: ['Description'] },
  quantity: { column: 'quantity', kind: 'integer', aliases: ['Quantity'] },
  order_date: { column: 'invoice_date', kind: 'timestamp', aliases: ['invoice_date', 'InvoiceDate'] },
  unit_price: { column: 'unit_price', kind: 'numeric', aliases: ['UnitPrice'] },
  customer_id: { column: 'customer_id', kind: 'customer', aliases: ['CustomerID'] },
  country: { column: 'country', kind: 'text', aliases: ['Country'] },
  line_total: { column: 'line_total', kind: 'numeric', aliases: ['order_total', 'total'] },
};

export type FormatName = 'online_retail' | 'orders';
export const FORMAT_NAMES: readonly FormatName[] = ['online_retail', 'orders'];

export interface Format {
  readonly name: FormatName;
  /** the header name each field is read from unless `--map` says otherwise */
  readonly headers: Readonly<Partial<Record<Field, string>>>;
  /** fields the file must have (after mapping) */
  readonly required: readonly Field[];
  /** at least one of these groups must be present in full */
  readonly amountGroups: readonly (readonly Field[])[];
}

/** UCI Online Retail: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country. */
export const ONLINE_RETAIL: Format = {
  name: 'online_retail',
  headers: {
    order_id: 'InvoiceNo',
    product_id: 'StockCode',
    description: 'Description',
    quantity: 'Quantity',
    order_date: 'InvoiceDate',
    unit_price: 'UnitPrice',
    customer_id: 'CustomerID',
    country: 'Country',
  },
  required: ['order_id', 'product_id', 'description', 'quantity', 'order_date', 'unit_price', 'customer_id', 'country'],
  amountGroups: [['quantity', 'unit_price']],
};

/** strata's generic layout: the field names themselves; an order total may replace quantity × price. */
export const ORDERS: Format = {
  name: 'orders',
  headers: Object.fromEntries(FIELDS.map((f) => [f, f])),
  required: ['customer_id', 'order_id', 'order_date', 'product_id'],
  amountGroups: [['quantity', 'unit_price'], ['line_total']],
};

export const FORMATS: Readonly<Record<FormatName, Format>> = { online_retail: ONLINE_RETAIL, orders: ORDERS };

/**
 * The format a header most likely is: online_retail when all of its columns are there, else orders.
 * Names are compared as columns are found (layout.ts): ignoring case and surrounding spaces.
 */
export function detectFormat(header: readonly string[]): Format {
  const names = new Set(header.map(looseName));
  return ONLINE_RETAIL.required.every((f) => names.has(looseName(ONLINE_RETAIL.headers[f]!))) ? ONLINE_RETAIL : ORDERS;
}

/** A column name as headers are matched: case and surrounding spaces do not count. */
export function looseName(name: string): string {
  return name.trim().toLowerCase();
}
