import { cumulative } from '../../core/random.ts';

/**
 * Kinds of customer the generator mixes, each a BG/NBD-style buyer: while "alive" it buys as a
 * Poisson process (rate drawn per customer from a gamma around `ordersPerYear`), and after each
 * purchase it drops out for good with probability p (drawn per customer from a beta around
 * `dropout`). Spend per order is gamma-distributed per customer around the archetype's basket.
 * Segmentation and lifetime-value models therefore have real structure to recover.
 */
export interface Archetype {
  readonly name: ArchetypeName;
  /** share of customers */
  readonly share: number;
  /** mean purchase rate while alive; 0 = buys exactly once */
  readonly ordersPerYear: number;
  /** mean probability of dropping out after a purchase */
  readonly dropout: number;
  /** mean product lines per order */
  readonly basketLines: number;
  /** multiplies the usual pack quantities (bulk buyers order by the carton) */
  readonly quantityScale: number;
  /** first purchase falls uniformly in this part of the window (0 = start, 1 = end) */
  readonly firstPurchase: readonly [number, number];
}

export type ArchetypeName =
  | 'champion'
  | 'loyal'
  | 'regular'
  | 'occasional'
  | 'one_timer'
  | 'lapsed'
  | 'new'
  | 'wholesaler';

export const ARCHETYPES: readonly Archetype[] = [
  { name: 'champion', share: 0.06, ordersPerYear: 24, dropout: 0.01, basketLines: 22, quantityScale: 1.5, firstPurchase: [0, 0.25] },
  { name: 'loyal', share: 0.12, ordersPerYear: 10, dropout: 0.03, basketLines: 16, quantityScale: 1, firstPurchase: [0, 0.5] },
  { name: 'regular', share: 0.22, ordersPerYear: 4, dropout: 0.06, basketLines: 12, quantityScale: 1, firstPurchase: [0, 0.7] },
  { name: 'occasional', share: 0.2, ordersPerYear: 1.5, dropout: 0.15, basketLines: 8, quantityScale: 0.8, firstPurchase: [0, 0.85] },
  { name: 'one_timer', share: 0.15, ordersPerYear: 0, dropout: 1, basketLines: 6, quantityScale: 0.8, firstPurchase: [0, 0.95] },
  // buys often at first, then stops: dropout after a few months
  { name: 'lapsed', share: 0.13, ordersPerYear: 8, dropout: 0.35, basketLines: 12, quantityScale: 1, firstPurchase: [0, 0.4] },
  // first purchase in the last two months of a year-long window
  { name: 'new', share: 0.08, ordersPerYear: 8, dropout: 0.05, basketLines: 10, quantityScale: 1, firstPurchase: [0.83, 1] },
  { name: 'wholesaler', share: 0.04, ordersPerYear: 12, dropout: 0.02, basketLines: 40, quantityScale: 8, firstPurchase: [0, 0.4] },
];

/** Running sums of the shares, for Random.weighted. */
export const ARCHETYPE_SHARES = cumulative(ARCHETYPES.map((a) => a.share));
