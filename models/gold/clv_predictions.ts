import { StrataError, UsageError } from '../../scripts/core/errors.ts';
import { refitGrowth } from '../../scripts/core/refit-policy.ts';
import { defineModel } from '../../scripts/core/ts-model.ts';
import { runClvPredictions } from '../../scripts/clv/pipeline/run.ts';
import { clvSettings } from '../../scripts/clv/settings.ts';

/**
 * Gold: the lifetime-value models' predictions, one row per source and distinct (x, t_x, age) of
 * customer_clv_summary. Each source (silver orders.source) is fitted on its own customers: it
 * chooses the purchase model (var clv_model; 'auto' by holdout error), fits it by maximum
 * likelihood on the distinct combinations with their counts, fits the Gamma-Gamma spend model on
 * a deterministic sample of repeat customers, and records both fits in strata_meta.clv_fits.
 * customer_clv then joins every customer to her source's row in SQL. A source whose fit does not
 * converge, or has too few repeat customers, gets no rows (its customers are published without
 * lifetime value), its failure is recorded in clv_fits and logged, and the data test
 * clv_sources_without_lifetime_value warns in the build summary; the other sources are unaffected.
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
        published: ctx.published('clv_predictions'),
        refit: { fullRefresh: ctx.fullRefresh, share: refitGrowth(ctx.vars) },
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
