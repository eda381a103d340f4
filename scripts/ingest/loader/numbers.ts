/**
 * Numbers as files write them, checked so PostgreSQL never refuses one mid-COPY (a refused value
 * aborts the whole file). Plain decimal notation only: no thousands separators, no exponent, `.`
 * as the decimal point. Surrounding spaces are dropped: a number has no text to keep exactly.
 */

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/**
 * An `integer` column's value, or undefined when `text` is not a whole number in range.
 * `6.0` (how float-typed exports write whole numbers) reads as `6`.
 *
 * @example normalizeInteger('-12') // '-12'
 */
export function normalizeInteger(text: string): string | undefined {
  if (isPlainInteger(text) && text.length < 10) return text;
  let s = text.trim();
  const dot = s.indexOf('.');
  if (dot >= 0) {
    if (!/^\.0*$/.test(s.slice(dot))) return undefined;
    s = s.slice(0, dot);
  }
  if (!isPlainInteger(s)) return undefined;
  const value = Number(s);
  return value >= INT32_MIN && value <= INT32_MAX ? String(value) : undefined;
}

/** Optional sign then one or more ASCII digits. */
function isPlainInteger(s: string): boolean {
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 45 || first === 43) i = 1;
  if (i >= n) return false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A `numeric(14, 4)` column's value, or undefined when `text` is not a decimal number that fits.
 * More than 4 decimals are let through for PostgreSQL to round (exports computed in floating point
 * write `0.30000000000000004`); the integer part is then held to 9 digits so rounding can never carry
 * past the column's 10.
 *
 * @example normalizeNumeric('2.55') // '2.55'
 */
export function normalizeNumeric(text: string): string | undefined {
  let s = text;
  if (!isDecimal(s)) {
    s = text.trim();
    if (s === text || !isDecimal(s)) return undefined;
  }
  const n = s.length;
  let i = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  while (i < n - 1 && s.charCodeAt(i) === 48 && s.charCodeAt(i + 1) !== 46) i++; // leading zeros
  const dot = s.indexOf('.');
  const integerDigits = (dot < 0 ? n : dot) - i;
  const fractionDigits = dot < 0 ? 0 : n - dot - 1;
  if (integerDigits > 10 || (fractionDigits > 4 && integerDigits > 9)) return undefined;
  return s;
}

/** Optional sign, digits, optional `.` and digits; at least one digit in all. */
function isDecimal(s: string): boolean {
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 45 || first === 43) i = 1;
  let seenDigit = false;
  let seenDot = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) seenDigit = true;
    else if (c === 46 && !seenDot) seenDot = true;
    else return false;
  }
  return seenDigit;
}

/**
 * A customer id as text, with the `.0` that float-typed exports append removed
 * (`17850.0` → `17850`); anything else is kept exactly.
 */
export function normalizeCustomerId(text: string): string {
  if (text.charCodeAt(text.length - 1) !== 48) return text;
  const dot = text.lastIndexOf('.');
  return dot > 0 && /^\d+\.0+$/.test(text) ? text.slice(0, dot) : text;
}
