import { StrataError } from '../../scripts/core/errors.ts';
import { defineModel } from '../../scripts/core/ts-model.ts';
import { AIRLINE_FEATURES } from '../../scripts/churn/spec.ts';
import { readTrainingRows, recordFit, writeCoefficients } from '../../scripts/churn/store.ts';
import { DEFAULT_SAMPLE, trainChurnModel } from '../../scripts/churn/train.ts';

/**
 * Gold: the churn model's coefficients, fitted on churn_features' training rows (role 'train':
 * members at the cutoff, labelled by a cancellation within churn_horizon_months). Regularised
 * logistic regression (scripts/churn/): standardised numeric features, one-hot categoricals, L2
 * strength by 5-fold cross-validation; one row per term, which churn_scores applies in SQL to
 * every current member. The fit is recorded in strata_meta.churn_fits.
 *
 * Without training rows (no airline data loaded), or without both outcomes among them, the table
 * is created empty and churn_scores is empty: a retail-only project builds as before.
 *
 * Vars: churn_horizon_months (12), churn_cutoff (default as_of minus the horizon), churn_as_of,
 * churn_sample (200,000 rows at most, a deterministic sample).
 */
export default defineModel({
  dependsOn: ['churn_features'],
  description: 'Churn model coefficients per term (logistic regression, L2 by cross-validation).',
  async run(ctx) {
    const started = performance.now();
    const rows = await readTrainingRows(ctx.db, ctx.ref('churn_features'), AIRLINE_FEATURES, `where role = 'train'`);
    const horizonMonths = Number(ctx.vars['churn_horizon_months'] ?? 12);
    const sample = Number(ctx.vars['churn_sample'] ?? DEFAULT_SAMPLE);
    if (!(horizonMonths > 0) || !(sample > 0)) {
      throw new StrataError('model churn_coefficients (models/gold/churn_coefficients.ts): vars churn_horizon_months and churn_sample must be positive numbers');
    }
    const cutoffRow = await ctx.sql
      .raw<{ cutoff: string | null }>(`select max(feature_date)::text as cutoff from ${ctx.qualified(ctx.ref('churn_features'))} where role = 'train'`)
      .execute(ctx.db);
    const cutoff = cutoffRow.rows[0]?.cutoff ?? '1970-01-01';
    const context = {
      buildId: ctx.buildId,
      purpose: 'build' as const,
      label: 'cancellation' as const,
      source: 'airline',
      cutoff,
      horizonMonths,
      settings: { sample, horizonMonths },
    };
    const positives = rows.filter((r) => r.label === 1).length;
    if (positives === 0 || positives === rows.length) {
      ctx.log(`${rows.length} training rows with ${positives} cancellations: nothing to fit, no coefficients`);
      await writeCoefficients(ctx.db, ctx.this, undefined, context);
      return { rows: 0 };
    }
    const model = trainChurnModel(rows, AIRLINE_FEATURES, { sample });
    await writeCoefficients(ctx.db, ctx.this, model, context);
    await recordFit(ctx.db, model, context, { fit_ms: performance.now() - started, iterations: model.iterations });
    ctx.log(
      `${model.trainingRows} members at ${cutoff}, ${model.positives} cancelled within ${horizonMonths} months; ` +
        `λ = ${model.lambda} by 5-fold CV; ${(performance.now() - started).toFixed(0)} ms`,
    );
    return { rows: model.coefficients.length };
  },
});
