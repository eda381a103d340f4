/** Rows to CSV (RFC 4180): every field quoted when it holds a comma, quote or line break. */
export function toCsv(rows: readonly Readonly<Record<string, unknown>>[]): string {
  const headers = Object.keys(rows[0] ?? {});
  const field = (value: unknown): string => {
    const text = value instanceof Date ? value.toISOString() : value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [headers.join(','), ...rows.map((r) => headers.map((h) => field(r[h])).join(','))].join('\r\n') + '\r\n';
}
