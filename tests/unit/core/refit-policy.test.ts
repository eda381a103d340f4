import { describe, expect, it } from 'vitest';
import { decideRefit, refitGrowth } from '../../../scripts/core/refit-policy.ts';

describe('the refit rule', () => {
  const published = { build: 7, population: 1000, purchases: 5000, sameSettings: true };
  it('keeps the published fit while the population changed by at most the share, measured against the fit', () => {
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1100, purchases: 5000, published })).toMatchObject({ refit: false, fitBuild: 7 });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 900, purchases: 5000, published })).toMatchObject({ refit: false, fitBuild: 7 });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1101, purchases: 5000, published })).toMatchObject({ refit: true });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 899, purchases: 5000, published })).toMatchObject({ refit: true });
  });
  it('refits when the purchases changed by more than the share while the customers did not (a population that keeps buying)', () => {
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 5500, published })).toMatchObject({ refit: false, fitBuild: 7 });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 4500, published })).toMatchObject({ refit: false, fitBuild: 7 });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 5600, published })).toEqual({
      refit: true,
      reason: 'customers 1000 at the fit of build 7, 1000 now (0% change); purchases 5000 at the fit, 5600 now (12% change); refit_growth 10%',
    });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 4400, published })).toMatchObject({ refit: true });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 100, published: { ...published, purchases: 0 } })).toMatchObject({ refit: true });
  });
  it('refits on --full-refresh, a share of 0, changed settings, no published fit, or a fit of no one', () => {
    expect(decideRefit({ fullRefresh: true, share: 0.1, population: 1000, purchases: 5000, published })).toEqual({ refit: true, reason: '--full-refresh' });
    expect(decideRefit({ fullRefresh: false, share: 0, population: 1000, purchases: 5000, published })).toEqual({ refit: true, reason: 'refit_growth is 0' });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 5000, published: { ...published, sameSettings: false } })).toMatchObject({ refit: true });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 1000, purchases: 5000, published: undefined })).toMatchObject({ refit: true });
    expect(decideRefit({ fullRefresh: false, share: 0.1, population: 0, purchases: 5000, published: { ...published, population: 0 } })).toMatchObject({ refit: true });
  });
  it('reads var refit_growth, 0.1 when unset, and refuses what is not a share', () => {
    expect(refitGrowth({})).toBe(0.1);
    expect(refitGrowth({ refit_growth: 0.25 })).toBe(0.25);
    expect(refitGrowth({ refit_growth: '0' })).toBe(0);
    expect(() => refitGrowth({ refit_growth: -1 })).toThrow(/var refit_growth must be a number ≥ 0/);
    expect(() => refitGrowth({ refit_growth: 'often' })).toThrow(/refit_growth/);
  });
});
