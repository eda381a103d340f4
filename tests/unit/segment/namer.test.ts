import { describe, expect, it } from 'vitest';
import { nameSegments } from '../../../scripts/segment/namer.ts';
import { featurePosition, populationFromTransform, type Population } from '../../../scripts/segment/position.ts';
import { fitTransform } from '../../../scripts/segment/transform.ts';
import { seededRandom } from '../../../scripts/core/random.ts';

/** every feature has mean 100 and sd 10, so a centre value of 100 + 10·z sits at z */
const features = ['recency_days', 'frequency', 'monetary', 'tenure_days', 'avg_order_value', 'return_rate'];
const population: Population = Object.fromEntries(features.map((f) => [f, { mean: 100, sd: 10 }]));
const at = (z: Partial<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(features.map((f) => [f, 100 + 10 * (z[f] ?? 0)]));

const champions = at({ recency_days: -1, frequency: 1.5, monetary: 1.2, tenure_days: 1 });
const lapsedOnce = at({ recency_days: 1.3, frequency: -0.9, tenure_days: 0.8 });
const newcomers = at({ recency_days: -1, frequency: -0.6, tenure_days: -1.4 });
const recentBig = at({ recency_days: -0.8, monetary: 1, tenure_days: 0.2 });
const occasional = at({ frequency: -0.7, monetary: -0.8 });

describe('nameSegments', () => {
  it('names each profile by the rules', () => {
    expect(nameSegments([champions, lapsedOnce, newcomers, recentBig, occasional], population)).toEqual([
      'Loyal high spenders',
      'Lapsed one-timers',
      'New customers',
      'Recent high spenders',
      'Occasional low spenders',
    ]);
  });

  it('treats features within ±0.5 sd, and features it does not know, as typical', () => {
    expect(nameSegments([at({ recency_days: 0.49, frequency: -0.49 })], population)).toEqual(['Typical customers']);
    expect(nameSegments([{ basket_entropy: 3 }, { basket_entropy: 4 }], population)).toEqual([
      'Typical customers',
      'Typical customers 2',
    ]);
  });

  it('calls a segment averaging under 1.5 orders one-timers even when most customers are', () => {
    const onePopulation: Population = { ...population, frequency: { p25: 1, p50: 2, p75: 4 } };
    const lapsed = { ...at({ recency_days: 1 }), frequency: 1.2 };
    expect(nameSegments([lapsed], onePopulation)).toEqual(['Lapsed one-timers']);
    expect(nameSegments([{ ...lapsed, frequency: 1.6 }], onePopulation)).toEqual(['Lapsed customers']);
  });

  it('tells colliding segments apart by the feature on which they differ most', () => {
    const bigBaskets = at({ recency_days: 1.3, frequency: -0.9, avg_order_value: 1.1, return_rate: 0.2 });
    const smallBaskets = at({ recency_days: 1.2, frequency: -1, avg_order_value: -0.6, return_rate: 0.1 });
    expect(nameSegments([bigBaskets, champions, smallBaskets], population)).toEqual([
      'Lapsed one-timers (larger baskets)',
      'Loyal high spenders',
      'Lapsed one-timers (smaller baskets)',
    ]);
  });

  it('lets an override win, looked up by segment id, and keeps generated names clear of it', () => {
    const overrides = new Map([[12, 'Winback targets'], [4, 'Lapsed one-timers']]);
    expect(nameSegments([lapsedOnce, newcomers, champions], population, overrides, [4, 12, 7])).toEqual([
      'Lapsed one-timers',
      'Winback targets',
      'Loyal high spenders',
    ]);
    const clash = new Map([[2, 'Loyal high spenders']]);
    const names = nameSegments([champions, lapsedOnce], population, clash);
    expect(names[1]).toBe('Loyal high spenders');
    expect(names[0]).toMatch(/^Loyal high spenders \(.+\)$/);
  });

  it('keeps names unique for any set of centres', () => {
    const random = seededRandom(4);
    const centres = Array.from({ length: 12 }, () =>
      at(Object.fromEntries(features.map((f) => [f, Math.round((random() * 4 - 2) * 2) / 2]))),
    );
    const names = nameSegments(centres, population);
    expect(new Set(names).size).toBe(12);
  });

  it('works from the fitted transform, on the log scale for a logged feature', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      recency_days: i % 100,
      frequency: i < 150 ? 1 : i < 190 ? 3 : 40,
      monetary: i < 150 ? 20 : i < 190 ? 80 : 3000,
      tenure_days: 100 + (i % 100),
    }));
    const t = fitTransform(rows, Object.keys(rows[0]!));
    expect(t.log1p).toEqual([false, true, true, false]);
    const names = nameSegments(
      [
        { recency_days: 5, frequency: 40, monetary: 3000, tenure_days: 180 },
        { recency_days: 90, frequency: 1, monetary: 20, tenure_days: 190 },
      ],
      populationFromTransform(t),
    );
    expect(names).toEqual(['Loyal high spenders', 'Lapsed one-timers']);
  });
});

describe('featurePosition', () => {
  it('is a z-score, on the log scale when the feature is logged', () => {
    expect(featurePosition(120, { mean: 100, sd: 10 })).toBe(2);
    expect(featurePosition(Math.expm1(3), { mean: 2, sd: 0.5, log1p: true })).toBeCloseTo(2, 12);
  });

  it('is a robust z from quartiles, with the median standing in for a zero IQR', () => {
    expect(featurePosition(30, { p25: 10, p50: 20, p75: 30 })).toBeCloseTo(1.349 / 2, 12);
    expect(featurePosition(3, { p25: 1, p50: 1, p75: 1 })).toBe(2);
  });
});
