/** Column types a seed's values can be inferred as. */
export type SeedType = 'bigint' | 'numeric' | 'date' | 'timestamp' | 'timestamptz' | 'boolean' | 'text';

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const BIGINT_MAX = 9223372036854775807n;

/**
 * The narrowest type of one non-empty CSV value. Numbers with a leading zero (`007`, zip and
 * account codes) stay text so the zero is not lost; a date must exist on the calendar so COPY
 * does not reject it later.
 */
export function classifyValue(value: string): SeedType {
  if (INTEGER.test(value)) {
    if (hasLeadingZero(value)) return 'text';
    const n = BigInt(value);
    return n <= BIGINT_MAX && n >= -BIGINT_MAX - 1n ? 'bigint' : 'numeric';
  }
  if (NUMBER.test(value)) return hasLeadingZero(value) ? 'text' : 'numeric';
  if (/^(true|false)$/i.test(value)) return 'boolean';
  const date = DATE.exec(value) ?? TIMESTAMP.exec(value);
  if (date && validDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
    if (DATE.test(value)) return 'date';
    return /(Z|[+-]\d{2}(:?\d{2})?)$/.test(value.slice(10)) ? 'timestamptz' : 'timestamp';
  }
  return 'text';
}

/**
 * The type that holds values of both: integers widen to numeric, dates to timestamps (midnight),
 * naive timestamps to timestamptz; anything else mixed is text. `undefined` means no value yet.
 */
export function widen(a: SeedType | undefined, b: SeedType): SeedType {
  if (a === undefined || a === b) return b;
  const pair = new Set([a, b]);
  if (pair.has('bigint') && pair.has('numeric')) return 'numeric';
  const times: readonly SeedType[] = ['date', 'timestamp', 'timestamptz'];
  if (times.includes(a) && times.includes(b)) return pair.has('timestamptz') ? 'timestamptz' : 'timestamp';
  return 'text';
}

function hasLeadingZero(value: string): boolean {
  return /^[+-]?0\d/.test(value);
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
