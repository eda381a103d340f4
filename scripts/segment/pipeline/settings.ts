/**
 * The segment vars and their defaults: the one place the default list of customer segmentation
 * features is written (customer_segments.sql reads the same var, which strata's schema.yml sets;
 * docs/segments.md points here), and the one reader of every segmented table's vars.
 *
 *   segment_features  customer_features columns to cluster (default below)
 *   segment_k         null (choose k in segment_k_range)  or a fixed number of segments
 *   segment_k_range   [3, 8]
 *   segment_seed      42
 *   segment_sample    10000   customers fitted on, at most 50,000
 *   segment_restarts  10      k-means++ restarts of the final fit, at least 10
 *
 * A sibling feature table reads its own `<prefix>segment_features`, `<prefix>segment_k` and
 * `<prefix>segment_k_range` (the range falling back to segment_k_range); seed, sample and
 * restarts are always the shared segment_* vars.
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

/** Which vars a segmented feature table reads, and what they fall back to. */
export interface SegmentVars {
  /** '' for the segment_* vars; 'traveler_' reads traveler_segment_features, _k and _k_range */
  readonly prefix: string;
  /** the feature table the feature list names columns of, for messages */
  readonly table: string;
  /** what the vars fall back to; k null: choose k in kRange */
  readonly defaults: Omit<SegmentSettings, 'k'> & { readonly k: number | null };
}

/** The customer segments' vars (segment_centres over customer_features). */
export const CUSTOMER_SEGMENT_VARS: SegmentVars = {
  prefix: '',
  table: 'customer_features',
  defaults: {
    features: SEGMENT_VAR_DEFAULTS.segment_features,
    k: SEGMENT_VAR_DEFAULTS.segment_k,
    kRange: SEGMENT_VAR_DEFAULTS.segment_k_range,
    seed: SEGMENT_VAR_DEFAULTS.segment_seed,
    sample: SEGMENT_VAR_DEFAULTS.segment_sample,
    restarts: SEGMENT_VAR_DEFAULTS.segment_restarts,
  },
};

/** Reads and checks the customer segment vars; a bad value is a UsageError naming the var. */
export function segmentSettings(vars: Readonly<Record<string, unknown>>): SegmentSettings {
  return readSegmentSettings(vars, CUSTOMER_SEGMENT_VARS);
}

/** Reads and checks one feature table's segment vars; a bad value is a UsageError naming the var. */
export function readSegmentSettings(vars: Readonly<Record<string, unknown>>, spec: SegmentVars): SegmentSettings {
  const { prefix, defaults } = spec;
  const get = (name: string, fallback: unknown): unknown => (vars[name] === undefined ? fallback : vars[name]);
  const featuresVar = `${prefix}segment_features`;
  const features = get(featuresVar, defaults.features);
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && /^[a-z_][a-z0-9_]*$/.test(f))) {
    throw new UsageError(`var ${featuresVar} must be a non-empty list of lower-case column names of ${spec.table}, got ${JSON.stringify(features)}`);
  }
  if (new Set(features).size !== features.length) throw new UsageError(`var ${featuresVar} lists a column twice: ${features.join(', ')}`);
  const kVar = `${prefix}segment_k`;
  const k = get(kVar, defaults.k);
  const rangeVar = `${prefix}segment_k_range`;
  // a sibling's range falls back to the shared segment_k_range before the default
  const range = get(rangeVar, prefix ? get('segment_k_range', defaults.kRange) : defaults.kRange);
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isInteger)) {
    throw new UsageError(`var ${rangeVar} must be two integers [low, high], got ${JSON.stringify(range)}`);
  }
  const sample = integer('segment_sample', get('segment_sample', defaults.sample), 2, MAX_SAMPLE);
  return {
    features: features as string[],
    k: k === null ? undefined : integer(kVar, k, 2, Infinity),
    kRange: [range[0] as number, range[1] as number],
    seed: integer('segment_seed', get('segment_seed', defaults.seed), -(2 ** 31), 2 ** 31 - 1),
    sample,
    restarts: integer('segment_restarts', get('segment_restarts', defaults.restarts), MIN_RESTARTS, 1000),
  };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const bounds = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`var ${name} must be an integer ${bounds}, got ${JSON.stringify(value)}`);
  }
  return value;
}
