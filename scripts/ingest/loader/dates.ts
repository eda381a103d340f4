/**
 * Order dates as files write them, turned into the one form PostgreSQL's `timestamp` reads
 * without guessing: `YYYY-MM-DD HH:MM:SS[.ffffff]`. Every calendar field is range-checked here,
 * because a single value the server refuses would abort the whole COPY.
 *
 * Accepted:
 * - ISO `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS[.ffffff]` (a `T` may stand for the space)
 * - the UCI copy form `M/D/YYYY H:MM[:SS]` (US month first, as the common CSV copies of the
 *   Online Retail workbook write it). A day-first file is not accepted silently when the day is
 *   above 12, but days 1–12 would read as months: such files need converting first.
 */

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The normalised timestamp text, or undefined when `text` is not a valid date.
 *
 * @example normalizeDate('12/1/2010 8:26') // '2010-12-01 08:26:00'
 */
export function normalizeDate(text: string): string | undefined {
  if (text.length === 19 && isCanonical(text)) return text;
  const trimmed = text.trim();
  let m = ISO.exec(trimmed);
  if (m) return build(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], m[7]);
  m = US.exec(trimmed);
  if (m) return build(m[3]!, m[1]!, m[2]!, m[4], m[5], m[6], undefined);
  return undefined;
}

/** `YYYY-MM-DD HH:MM:SS`, checked by character codes: the form of almost every row. */
function isCanonical(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32) return false;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  return validDate(year, month, day) && hour <= 23 && minute <= 59 && second <= 59;
}

/** The number written by `length` ASCII digits at `from`, or -1 when any is not a digit. */
function digits(s: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function build(
  y: string,
  mo: string,
  d: string,
  h: string | undefined,
  mi: string | undefined,
  s: string | undefined,
  fraction: string | undefined,
): string | undefined {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  return `${y}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction ?? ''}`;
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days in a month of the proleptic Gregorian calendar (what PostgreSQL uses). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
