/**
 * Query results as compact text tables for a language model: one header line with each
 * column's unit in brackets, one line per row, numbers to 6 significant digits (counts whole),
 * and a note when the rows were cut at the limit.
 */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly truncated: boolean;
}

export function formatTable(table: Table, units: Readonly<Record<string, string>> = {}): string {
  if (table.rows.length === 0) return '(no rows)';
  const header = table.columns.map((c) => (units[c] ? `${c} [${units[c]}]` : c)).join(' | ');
  const lines = table.rows.map((row) => table.columns.map((c) => cell(row[c])).join(' | '));
  const note = table.truncated ? [`(only the first ${table.rows.length} rows; narrow the question to see the rest)`] : [];
  return [header, ...lines, ...note].join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return compactNumber(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(value)) return compactNumber(Number(value));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '/');
}

/** 6 significant digits, without exponent for ordinary magnitudes; integers unchanged. */
export function compactNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e15) return String(Number(x.toPrecision(6)));
  return x.toPrecision(6);
}
