/**
 * The naming rules: a flat list of cases over the levels of recency, frequency, monetary value
 * and tenure, tried in order; the first that holds names the segment. `uses` lists the features
 * a name already speaks of, so a qualifier added to tell two segments apart names another.
 */

export type Level = 'low' | 'mid' | 'high';

/** Levels of the four features the names speak of; a feature not in the model is 'mid'. */
export interface Profile {
  /** recency_days: low = bought recently */
  readonly recency: Level;
  readonly frequency: Level;
  readonly monetary: Level;
  /** tenure_days: low = joined recently */
  readonly tenure: Level;
}

export interface NameRule {
  readonly name: string;
  readonly uses: readonly string[];
  readonly when: (p: Profile) => boolean;
}

const R = 'recency_days';
const F = 'frequency';
const M = 'monetary';
const T = 'tenure_days';

export const NAME_RULES: readonly NameRule[] = [
  { name: 'New high spenders', uses: [T, M], when: (p) => p.tenure === 'low' && p.monetary === 'high' },
  { name: 'New customers', uses: [T], when: (p) => p.tenure === 'low' },
  { name: 'Lapsed loyal buyers', uses: [R, F], when: (p) => p.recency === 'high' && p.frequency === 'high' },
  { name: 'Lapsed high spenders', uses: [R, M], when: (p) => p.recency === 'high' && p.monetary === 'high' },
  { name: 'Lapsed one-timers', uses: [R, F], when: (p) => p.recency === 'high' && p.frequency === 'low' },
  { name: 'Lapsed customers', uses: [R], when: (p) => p.recency === 'high' },
  { name: 'Loyal high spenders', uses: [F, M], when: (p) => p.frequency === 'high' && p.monetary === 'high' },
  { name: 'Frequent loyal buyers', uses: [F], when: (p) => p.frequency === 'high' },
  { name: 'Recent high spenders', uses: [R, M], when: (p) => p.recency === 'low' && p.monetary === 'high' },
  { name: 'High spenders', uses: [M], when: (p) => p.monetary === 'high' },
  { name: 'Occasional low spenders', uses: [F, M], when: (p) => p.frequency === 'low' && p.monetary === 'low' },
  { name: 'Recent buyers', uses: [R], when: (p) => p.recency === 'low' },
  { name: 'Low spenders', uses: [M], when: (p) => p.monetary === 'low' },
  { name: 'Occasional buyers', uses: [F], when: (p) => p.frequency === 'low' },
  { name: 'Typical customers', uses: [], when: () => true },
];

/** Words for a qualifier: [below the others, above the others]. */
const PHRASES: Readonly<Record<string, readonly [string, string]>> = {
  recency_days: ['recently active', 'long inactive'],
  frequency: ['infrequent', 'frequent'],
  monetary: ['lower spend', 'higher spend'],
  avg_order_value: ['smaller baskets', 'larger baskets'],
  tenure_days: ['recently joined', 'long-standing'],
  distinct_products: ['narrow range', 'wide range'],
  return_rate: ['few returns', 'many returns'],
};

/** "larger baskets", or "higher unit_price" for a feature without its own words. */
export function qualifierPhrase(feature: string, above: boolean): string {
  const phrases = PHRASES[feature];
  if (phrases) return phrases[above ? 1 : 0];
  return `${above ? 'higher' : 'lower'} ${feature.replaceAll('_', ' ')}`;
}
