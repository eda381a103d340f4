import { distance } from 'fastest-levenshtein';

/**
 * Up to `limit` candidates closest to `word` by edit distance (ties by name), so an error can
 * say "did you mean …". Candidates that merely contain the word rank first: `orders` → `stg_orders`.
 */
export function closestNames(word: string, candidates: Iterable<string>, limit = 3): readonly string[] {
  const unique = [...new Set(candidates)];
  const score = (c: string): number => (c.includes(word) ? 0 : 1) * 1000 + distance(word, c);
  return unique
    .map((c) => ({ c, s: score(c) }))
    .sort((a, b) => a.s - b.s || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .slice(0, limit)
    .map((x) => x.c);
}

/** `; did you mean: a, b, c?` or '' when there is nothing to suggest. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const names = closestNames(word, candidates);
  return names.length === 0 ? '' : `; did you mean: ${names.join(', ')}?`;
}
