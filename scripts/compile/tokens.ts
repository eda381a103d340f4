import type { RelationToken } from '../core/types.ts';

/**
 * Relation tokens stand in compiled SQL where a physical name will go; plan replaces them.
 * The text cannot occur in SQL a person writes (`<<` is not a PostgreSQL operator followed by
 * `rel:`), so replacing it is safe.
 */
export function relationToken(target: string): string {
  return `<<rel:${target}>>`;
}

const TOKEN = /<<rel:([^<>\s]+)>>/g;

/** Every token in the given SQL texts, keyed by token text, in sorted key order. */
export function collectTokens(texts: Iterable<string>): Record<string, RelationToken> {
  const found = new Map<string, RelationToken>();
  for (const text of texts) {
    for (const match of text.matchAll(TOKEN)) {
      found.set(match[0], { token: match[0], target: match[1] as string });
    }
  }
  return Object.fromEntries([...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The prefix of an inlined ephemeral model's CTE (`__strata_ephemeral__<name>`). */
export const EPHEMERAL_PREFIX = '__strata_ephemeral__';
