import { sql, type Kysely } from 'kysely';
import { qualified } from '../core/ts-model.ts';
import type { Relation } from '../core/types.ts';
import type { FeatureRow, FeatureSpec } from './design.ts';
import type { ChurnModel, TrainingRow } from './train.ts';

/** What a coefficients table and a churn_fits record say about where a model came from. */
export interface FitContext {
  readonly buildId: number | null;
  readonly purpose: 'build' | 'validate';
  readonly label: 'cancellation' | 'no_purchase';
  readonly source: string;
  readonly cutoff: string;
  readonly horizonMonths: number;
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Feature rows of a relation (optionally one role of churn_features) as training rows. */
export async function readTrainingRows(
  db: Kysely<unknown>,
  relation: Relation | string,
  spec: FeatureSpec,
  where = '',
): Promise<TrainingRow[]> {
  const from = typeof relation === 'string' ? relation : qualified(relation);
  const result = await sql.raw<Record<string, unknown>>(`select * from ${from} ${where} order by customer_id`).execute(db);
  return result.rows.map((row) => ({ id: String(row['customer_id']), label: Number(row['label'] ?? 0), features: featureRow(row, spec) }));
}

/** A database row's features: numbers (pg returns float8 as number, numeric as text) and text. */
export function featureRow(row: Readonly<Record<string, unknown>>, spec: FeatureSpec): FeatureRow {
  const out: Record<string, number | string | null> = {};
  for (const f of spec.numeric) {
    const v = row[f];
    out[f] = v === null || v === undefined ? null : Number(v);
  }
  for (const f of spec.categorical) {
    const v = row[f];
    out[f] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

/** Creates the coefficients table at `out` (empty when `model` is undefined: nothing to learn from). */
export async function writeCoefficients(db: Kysely<unknown>, out: Relation, model: ChurnModel | undefined, context: FitContext): Promise<void> {
  await sql.raw(`
    create table ${qualified(out)} (
      term           text not null,
      level          text,
      kind           text not null,
      mean           double precision not null,
      sd             double precision not null,
      coefficient    double precision not null,
      lambda         double precision not null,
      label          text not null,
      cutoff         date not null,
      horizon_months integer not null,
      training_rows  integer not null,
      positives      integer not null,
      build_id       bigint
    )`).execute(db);
  if (!model) return;
  const c = model.coefficients;
  await sql`
    insert into ${sql.raw(qualified(out))}
    select term, level, kind, mean, sd, coefficient, ${model.lambda}::float8, ${context.label}, ${context.cutoff}::date,
           ${context.horizonMonths}::integer, ${model.trainingRows}::integer, ${model.positives}::integer, ${context.buildId}::bigint
    from unnest(${c.map((r) => r.term)}::text[], ${c.map((r) => r.level)}::text[], ${c.map((r) => r.kind)}::text[],
                ${c.map((r) => r.mean)}::float8[], ${c.map((r) => r.sd)}::float8[], ${c.map((r) => r.coefficient)}::float8[])
         as t(term, level, kind, mean, sd, coefficient)`.execute(db);
}

/** Records one fit in strata_meta.churn_fits; returns its fit_id. */
export async function recordFit(
  db: Kysely<unknown>,
  model: ChurnModel,
  context: FitContext,
  metrics: Readonly<Record<string, unknown>>,
): Promise<number> {
  const coefficients = Object.fromEntries(
    model.coefficients.map((c) => [c.kind === 'indicator' ? `${c.term} = ${c.level}` : c.term, c.coefficient]),
  );
  const result = await sql<{ fit_id: string }>`
    insert into strata_meta.churn_fits
      (build_id, purpose, label, source, cutoff, horizon_months, lambda, cv, coefficients, metrics, training_rows, positives, settings)
    values (${context.buildId}, ${context.purpose}, ${context.label}, ${context.source}, ${context.cutoff}::date, ${context.horizonMonths},
            ${model.lambda}, ${JSON.stringify(model.cv)}::jsonb, ${JSON.stringify(coefficients)}::jsonb, ${jsonSafe(metrics)}::jsonb,
            ${model.trainingRows}, ${model.positives}, ${jsonSafe(context.settings)}::jsonb)
    returning fit_id`.execute(db);
  return Number(result.rows[0]!.fit_id);
}

/** JSON text with NaN and infinities as null (JSON has no spelling for them). */
export function jsonSafe(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}
