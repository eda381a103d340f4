import { EPHEMERAL_PREFIX } from './tokens.ts';

/** An ephemeral model to inline: its name and its rendered SQL (its own ephemeral refs already named). */
export interface EphemeralPart {
  readonly name: string;
  readonly sql: string;
}

/**
 * Inlines ephemeral models into a model's SQL as CTEs named `__strata_ephemeral__<name>`,
 * dependencies first. When the model's SQL already starts with `with` (after whitespace and
 * comments; `with recursive` too), the CTEs join that one `with` list instead of nesting a
 * second. The added lines map to `anchorLine` (the model's line of its first ephemeral ref);
 * the model's own lines keep their mapping.
 *
 * @example
 * inlineEphemerals('select * from __strata_ephemeral__e', [1], [{name: 'e', sql: 'select 1'}], 1).sql
 * // 'with __strata_ephemeral__e as (\nselect 1\n)\nselect * from __strata_ephemeral__e'
 */
export function inlineEphemerals(
  sql: string,
  lineMap: readonly number[],
  parts: readonly EphemeralPart[],
  anchorLine: number,
): { sql: string; lineMap: number[] } {
  if (parts.length === 0) return { sql, lineMap: [...lineMap] };
  const leading = leadingWith(sql);
  const ctes = parts.map((p) => `${EPHEMERAL_PREFIX}${p.name} as (\n${trimStatement(p.sql).replace(/^\s*\n/, '')}\n)`).join(',\n');
  const prefix = `with ${leading?.recursive ? 'recursive ' : ''}${ctes}${leading ? ',' : ''}\n`;
  // the model's own `with` goes; newlines inside the removed text stay so its lines keep their numbers
  const body = leading
    ? sql.slice(0, leading.start) + sql.slice(leading.start, leading.end).replace(/[^\n]/g, '') + sql.slice(leading.end)
    : sql;
  const added = prefix.split('\n').length - 1;
  return { sql: prefix + body, lineMap: [...new Array<number>(added).fill(anchorLine), ...lineMap] };
}

/** Where a leading `with [recursive]` keyword sits, skipping whitespace and comments. */
export function leadingWith(sql: string): { start: number; end: number; recursive: boolean } | undefined {
  let i = 0;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i += 1;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else {
      break;
    }
  }
  const match = /^with\b(\s+recursive\b)?/i.exec(sql.slice(i));
  return match ? { start: i, end: i + match[0].length, recursive: match[1] !== undefined } : undefined;
}

/** An inlined select must not end with `;` (it goes inside parentheses). */
export function trimStatement(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
