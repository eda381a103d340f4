/**
 * strata's one seeded random generator: `Random` (sfc32 seeded through splitmix32, with the
 * distributions the data generators and the CLV benchmark's orders draw from; the segment fit's
 * subsamples and the CLV simulation take their uniforms from it too). A seed fixes every draw on
 * every machine; Math.random is never used for data.
 *
 * The implementation is scripts/ingest/synthetic/random.ts, where the synthetic generator (its
 * first user) defines it; everything outside the generator imports it from here. (Moving the file
 * here is left to a change that may edit scripts/ingest/; see issue 13.)
 */
import { Random } from '../ingest/synthetic/random.ts';

export { cumulative, Random } from '../ingest/synthetic/random.ts';

/**
 * Uniform draws on [0, 1) from `new Random(seed)`, as a plain function, for callers that need
 * nothing but uniforms.
 */
export function seededRandom(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}
