/**
 * The published fit of one source that a build may keep instead of refitting (the refit rule,
 * scripts/core/refit-policy.ts): the build that fitted the published predictions of the source,
 * and that build's recorded purchase and spend fits in strata_meta.clv_fits; the purchases at the
 * fit are on the published rows (fit_purchases), carried by every build that keeps the fit.
 */
import { sql, type Kysely } from 'kysely';
import type { PublishedFit } from '../../core/refit-policy.ts';
import { qualified } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { GammaGammaParams, PurchaseModelName } from '../types.ts';

/** A source's published fit, with what re-scoring needs. */
export interface KeptFit {
  readonly fit: PublishedFit;
  readonly model: PurchaseModelName;
  readonly params: Readonly<Record<string, number>>;
  readonly spend: GammaGammaParams;
}

/**
 * The fit behind `published` (the published clv_predictions) for `source`, or undefined when the
 * source has no published predictions, its fits are not both recorded and converged, or its rows
 * were written before fit_purchases was kept.
 * `settings` is this build's settings record, compared with the fit's (jsonb equality).
 */
export async function publishedClvFit(
  db: Kysely<unknown>,
  published: Relation | undefined,
  source: string,
  settings: string,
): Promise<KeptFit | undefined> {
  if (!published) return undefined;
  const result = await sql<{
    build_id: string;
    model: string;
    role: 'purchase' | 'spend';
    params: Record<string, number>;
    customers: string;
    fit_purchases: string | null;
    same: boolean;
  }>`
    with published as (
      -- fit_purchases through jsonb: predictions written before it was kept lack the column (then refit)
      select build_id, model, (to_jsonb(p) ->> 'fit_purchases')::bigint as fit_purchases
      from ${sql.raw(qualified(published))} as p where source = ${source} limit 1
    )
    select f.build_id, f.model, f.role, f.params, f.customers, p.fit_purchases, f.settings = ${settings}::jsonb as same
    from strata_meta.clv_fits as f
    join published as p on p.build_id = f.build_id and (f.model = p.model or f.model = 'gammagamma')
    where f.source = ${source} and f.converged and f.error is null and f.params is not null`.execute(db);
  const purchase = result.rows.find((r) => r.role === 'purchase');
  const spend = result.rows.find((r) => r.role === 'spend');
  if (!purchase || !spend || purchase.fit_purchases === null) return undefined;
  return {
    fit: {
      build: Number(purchase.build_id),
      population: Number(purchase.customers),
      purchases: Number(purchase.fit_purchases),
      sameSettings: purchase.same && spend.same,
    },
    model: purchase.model as PurchaseModelName,
    params: purchase.params,
    spend: { p: spend.params['p']!, q: spend.params['q']!, v: spend.params['v']! },
  };
}
