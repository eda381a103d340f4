import { qualified } from '../core/sql.ts';
import type { Manifest, Relation } from '../core/types.ts';

/**
 * Replaces every relation token of `tokens` found in `sql` with `render(target)`. Tokens are
 * matched by their exact text (longest first), so the token format stays compile's business.
 * Rendered names must not contain a newline: the model's line map relies on line counts. SQL that
 * has no line map (a test's check of changed rows, plan/scoped-keys.ts) may pass `multiline` to
 * put a subquery of several lines in a token's place.
 */
export function replaceTokens(
  sql: string,
  tokens: Manifest['tokens'],
  render: (target: string) => string,
  options: { readonly multiline?: boolean } = {},
): string {
  const texts = Object.keys(tokens).sort((a, b) => b.length - a.length);
  if (texts.length === 0) return sql;
  const pattern = new RegExp(texts.map(escapeRegExp).join('|'), 'g');
  const cache = new Map<string, string>();
  return sql.replace(pattern, (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      out = render(tokens[text]!.target);
      if (out.includes('\n') && options.multiline !== true) throw new Error(`relation name for ${text} contains a newline`);
      cache.set(text, out);
    }
    return out;
  });
}

/**
 * Replaces relation tokens with `"schema"."name"` of the relation `resolve` returns.
 *
 * @example resolveTokens('select * from <<rel:model.orders>>', m.tokens, () => ({schema: 'gold__b000001', name: 'orders'}))
 * // 'select * from "gold__b000001"."orders"'
 */
export function resolveTokens(
  sql: string,
  tokens: Manifest['tokens'],
  resolve: (target: string) => Relation,
): string {
  return replaceTokens(sql, tokens, (target) => qualified(resolve(target)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
