/**
 * Names of a build's versioned objects. A build writes into `<layer>__<buildTag>` so the
 * published build stays untouched until publish swaps the public views.
 */

/** `42` → `b000042`. Ids above 999999 keep all their digits (the pad is a minimum). */
export function buildTag(buildId: number): string {
  if (!Number.isSafeInteger(buildId) || buildId < 0) {
    throw new RangeError(`build id must be a non-negative integer, got ${buildId}`);
  }
  return `b${String(buildId).padStart(6, '0')}`;
}

/** `('gold', 'b000042')` → `gold__b000042` */
export function versionedSchema(layer: string, tag: string): string {
  return `${layer}__${tag}`;
}
