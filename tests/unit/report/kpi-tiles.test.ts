import { describe, expect, it } from 'vitest';
import type { Kpis } from '../../../scripts/panels/data.ts';
import { kpiTiles } from '../../../scripts/report/report-page.ts';

const kpis = (valueUnit: string | null): Kpis => ({
  customers: 10, activeCustomers: 7, churnRate: 0.3, revenue: 1234.5, orders: 20, averageOrderValue: 61.73, valueAtRisk: 88, valueUnit,
});
const labels = (html: string): string[] => [...html.matchAll(/<div class="label">([^<]*)<\/div>/g)].map((m) => m[1]!);

describe('kpiTiles', () => {
  it('names the unit on the money tiles only', () => {
    expect(labels(kpiTiles(kpis('GBP')))).toEqual([
      'Customers', 'Active customers', 'Churn rate', 'Revenue (GBP)', 'Average order value (GBP)', 'Value at risk, 12 months (GBP)',
    ]);
  });

  it('says when sources in different units were added, and names no unit when none is known', () => {
    expect(labels(kpiTiles(kpis('mixed')))[3]).toBe('Revenue (mixed units)');
    expect(labels(kpiTiles(kpis(null)))[3]).toBe('Revenue');
  });
});
