/**
 * Finds where a template mentions a call such as `ref('customers')`, so that problems found
 * while rendering (globals run without knowing their line) can name a line.
 */

/**
 * 1-based line of the first `fn(...)` call in `text` whose quoted arguments include each of
 * `args`; `undefined` when there is none (a name built at render time, or a call in a macro).
 *
 * @example lineOfCall("select 1\nfrom {{ ref('orders') }}", 'ref', ['orders']) // 2
 */
export function lineOfCall(text: string, fn: string, args: readonly string[] = []): number | undefined {
  const pattern = new RegExp(`\\b${escapeRegExp(fn)}\\s*\\(`, 'g');
  for (const match of text.matchAll(pattern)) {
    const close = text.indexOf(')', match.index);
    const call = text.slice(match.index, close < 0 ? undefined : close + 1);
    if (args.every((arg) => ["'", '"', '`'].some((q) => call.includes(`${q}${arg}${q}`)))) {
      return lineAt(text, match.index);
    }
  }
  return undefined;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** 1-based line of the first quoted `name` ('name', "name" or `name`) in `text`. */
export function lineOfQuoted(text: string, name: string): number | undefined {
  const found = ["'", '"', '`'].map((q) => text.indexOf(`${q}${name}${q}`)).filter((i) => i >= 0);
  return found.length === 0 ? undefined : lineAt(text, Math.min(...found));
}
