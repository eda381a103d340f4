import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `name` by edit distance, when it is close enough to be a plausible
 * typo (at most a third of the name's length, at least 2 edits allowed). Ties go to the
 * alphabetically first candidate so the suggestion is stable.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...candidates].sort()) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `"; did you mean 'customers'?"`, or `""` when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match === undefined ? '' : `; did you mean '${match}'?`;
}

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

/** A list form for selectors: `; did you mean: a, b, c?` or '' when there is nothing to suggest. */
export function didYouMeanList(word: string, candidates: Iterable<string>): string {
  const names = closestNames(word, candidates);
  return names.length === 0 ? '' : `; did you mean: ${names.join(', ')}?`;
}
