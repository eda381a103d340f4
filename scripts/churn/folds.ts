import { createHash } from 'node:crypto';

/**
 * A row's place in deterministic splits: a number in [0, 1) from the md5 of a salt and its id,
 * so the same customer always falls in the same fold or holdout, whatever the row order, and the
 * same value is computable in SQL (`('x' || substr(md5(salt || id), 1, 8))::bit(32)::bigint / 2^32`).
 *
 * @example unitHash('holdout', 'airline-100018') // 0.73… (always the same)
 */
export function unitHash(salt: string, id: string): number {
  const digest = createHash('md5').update(`${salt}${id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The fold (0 .. k-1) of an id. */
export function foldOf(id: string, k: number, salt = 'churn-fold'): number {
  return Math.min(k - 1, Math.floor(unitHash(salt, id) * k));
}
