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
