import type { FeatureSpec } from './design.ts';

/**
 * The airline churn model's features: columns of gold.churn_features (see that model for how
 * each is computed at a date). The data's clv is not among them: it totals flights booked after
 * the cutoff too, so it would leak the outcome (docs/airline.md).
 */
export const AIRLINE_FEATURES: FeatureSpec = {
  numeric: [
    'tenure_months',
    'flights_12m',
    'distance_12m',
    'points_accumulated_12m',
    'points_redeemed_12m',
    'months_active_12m',
    'recency_months',
    'flights_last_quarter',
    'flight_trend',
    'salary',
    'salary_missing',
  ],
  categorical: ['loyalty_card', 'enrollment_type', 'gender', 'education', 'marital_status', 'province'],
};

/**
 * Features for the 'no_purchase' label, for sources without cancellations (retail, travel): what
 * silver.orders tells about a customer at the cutoff (scripts/churn/purchase-features.ts).
 */
export const PURCHASE_FEATURES: FeatureSpec = {
  numeric: ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'orders_last_90d', 'monetary_last_90d'],
  categorical: ['country'],
};
