import { StrataError, UsageError } from '../../scripts/core/errors.ts';
import { defineModel } from '../../scripts/core/ts-model.ts';
import { runClvPredictions } from '../../scripts/clv/pipeline/run.ts';
import { clvSettings } from '../../scripts/clv/settings.ts';

/**
 * Gold: the lifetime-value models' predictions, one row per distinct (x, t_x, age) of
 * customer_clv_summary. Chooses the purchase model (var clv_model; 'auto' by holdout error),
 * fits it by maximum likelihood on the distinct combinations with their counts, fits the
 * Gamma-Gamma spend model on a deterministic sample of repeat customers, and records both fits in
 * strata_meta.clv_fits. customer_clv then joins every customer to its row in SQL. A fit that does
 * not converge, or too few repeat customers, stops the build (nothing is published).
 *
 * Vars (defaults in scripts/clv/settings.ts): clv_model auto | bgnbd | mbgnbd | pareto,
 * clv_time_unit day | week | month (week), clv_horizon_months (12), clv_discount_rate (0.01 a
 * month), clv_holdout_weeks (13), clv_spend_sample (20000), clv_min_repeat_customers (10).
 * See docs/clv.md, "In the pipeline".
 */
export default defineModel({
  dependsOn: ['customer_clv_summary'],
  description: 'Lifetime-value predictions per distinct (x, t_x, age) of customer_clv_summary.',
  async run(ctx) {
    const where = 'model clv_predictions (models/gold/clv_predictions.ts)';
    try {
      const result = await runClvPredictions({
        db: ctx.db,
        summary: ctx.ref('customer_clv_summary'),
        out: ctx.this,
        settings: clvSettings(ctx.vars),
        buildId: ctx.buildId,
        log: ctx.log,
      });
      return { rows: result.combinations };
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`${where}: ${error.message}`);
      if (error instanceof StrataError) throw new StrataError(`${where}: ${error.message}`);
      throw error;
    }
  },
});
