/**
 * The segment vars and their defaults: the one place the default list of segmentation features
 * is written (customer_segments.sql reads the same var, which strata's schema.yml sets; docs/segments.md
 * points here).
 *
 *   segment_features  customer_features columns to cluster (default below)
 *   segment_k         null (choose k in segment_k_range)  or a fixed number of segments
 *   segment_k_range   [3, 8]
 *   segment_seed      42
 *   segment_sample    10000   customers fitted on, at most 50,000
 *   segment_restarts  10      k-means++ restarts of the final fit, at least 10
 */
import { UsageError } from '../../core/errors.ts';

export const SEGMENT_VAR_DEFAULTS = {
  segment_features: ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'distinct_products', 'return_rate'],
  segment_k: null,
  segment_k_range: [3, 8],
  segment_seed: 42,
  segment_sample: 10_000,
  segment_restarts: 10,
} as const;

/** The bound: the fit never reads more than this many customers. */
export const MAX_SAMPLE = 50_000;
export const MIN_RESTARTS = 10;

export interface SegmentSettings {
  readonly features: readonly string[];
  readonly k: number | undefined;
  readonly kRange: readonly [number, number];
  readonly seed: number;
  readonly sample: number;
  readonly restarts: number;
}

/** Reads and checks the segment vars; a bad value is a UsageError naming the var. */
export function segmentSettings(vars: Readonly<Record<string, unknown>>): SegmentSettings {
  const get = <K extends keyof typeof SEGMENT_VAR_DEFAULTS>(name: K): unknown =>
    vars[name] === undefined ? SEGMENT_VAR_DEFAULTS[name] : vars[name];
  const features = get('segment_features');
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && /^[a-z_][a-z0-9_]*$/.test(f))) {
    throw new UsageError(`var segment_features must be a non-empty list of lower-case column names of customer_features, got ${JSON.stringify(features)}`);
  }
  if (new Set(features).size !== features.length) throw new UsageError(`var segment_features lists a column twice: ${features.join(', ')}`);
  const k = get('segment_k');
  const range = get('segment_k_range');
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
    throw new UsageError(`var segment_k_range must be two integers [low, high], got ${JSON.stringify(range)}`);
  }
  const sample = integer('segment_sample', get('segment_sample'), 2, MAX_SAMPLE);
  return {
    features: features as string[],
    k: k === null ? undefined : integer('segment_k', k, 2, Infinity),
    kRange: [range[0] as number, range[1] as number],
    seed: integer('segment_seed', get('segment_seed'), -(2 ** 31), 2 ** 31 - 1),
    sample,
    restarts: integer('segment_restarts', get('segment_restarts'), MIN_RESTARTS, 1000),
  };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const bounds = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`var ${name} must be an integer ${bounds}, got ${JSON.stringify(value)}`);
  }
  return value;
}
