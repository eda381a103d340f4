/**
 * The history row of one fit in strata_meta.clv_fits (migrations 5 and 13: one row per build,
 * source and model), written whether the fit succeeded or not, so the history also says why a
 * source has no lifetime value in a build.
 */
import { sql, type Kysely } from 'kysely';
import type { FitResult, ModelName } from '../types.ts';

export interface FitRecord {
  readonly buildId: number;
  /** the source fitted (customer_clv_summary.source) */
  readonly source: string;
  readonly model: ModelName;
  readonly timeUnit: string;
  /** absent when the fit failed */
  readonly fit?: FitResult;
  readonly error?: string;
  readonly selection: string;
  readonly holdout?: unknown;
  readonly settings: unknown;
  readonly fitMs: number;
}

/** JSON has no NaN or Infinity: a standard error that could not be computed is stored as null. */
function finiteOrNull(values: Readonly<Record<string, number>>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}

/** Replaces NaN and ±Infinity anywhere in `value` by null, for a jsonb column. */
export function jsonSafe(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** Inserts one fit's row. */
export async function recordFit(db: Kysely<unknown>, record: FitRecord): Promise<void> {
  const { fit } = record;
  await sql`
    insert into strata_meta.clv_fits (
      build_id, source, model, role, time_unit, params, standard_errors, log_likelihood, converged,
      iterations, customers, distinct_rows, warnings, error, selection, holdout, settings, fit_ms
    ) values (
      ${record.buildId}, ${record.source}, ${record.model}, ${record.model === 'gammagamma' ? 'spend' : 'purchase'}, ${record.timeUnit},
      ${fit ? JSON.stringify(fit.params) : null}::jsonb,
      ${fit ? JSON.stringify(finiteOrNull(fit.standardErrors)) : null}::jsonb,
      ${fit?.logLikelihood ?? null}, ${fit?.converged ?? false}, ${fit?.iterations ?? null},
      ${fit?.customers ?? null}, ${fit?.distinctRows ?? null}, ${[...(fit?.warnings ?? [])]}::text[],
      ${record.error ?? null}, ${record.selection},
      ${record.holdout === undefined ? null : jsonSafe(record.holdout)}::jsonb,
      ${jsonSafe(record.settings)}::jsonb, ${record.fitMs}
    )`.execute(db);
}
