/** Selector wildcards: `*` is any run of characters, `?` one character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** `stg_*` → /^stg_.*$/ (whole-string match; every other character is literal). */
export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Exact comparison, or a wildcard match when the pattern has `*` or `?`. */
export function matchesPattern(pattern: string, value: string): boolean {
  return hasWildcard(pattern) ? globToRegExp(pattern).test(value) : pattern === value;
}
