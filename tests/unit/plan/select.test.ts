import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import { selectNodes } from '../../../scripts/plan/select.ts';
import { shopManifest } from './fixture.ts';

const m = shopManifest();
const sel = (select: string[], exclude: string[] = []): string[] =>
  [...selectNodes(m, { select, exclude })].map((id) => id.slice(id.indexOf('.') + 1));

describe('selectNodes', () => {
  it('selects everything when no select is given, in manifest order', () => {
    expect(sel([])).toEqual(m.nodes.map((n) => n.name));
  });

  it('selects by name, ancestors, descendants and depth', () => {
    expect(sel(['customers'])).toEqual(['customers']);
    expect(sel(['+customers'])).toEqual(['rfm_rules', 'stg_orders', 'stg_customers', 'orders_enriched', 'customer_orders', 'customers']);
    expect(sel(['1+customers'])).toEqual(['rfm_rules', 'customer_orders', 'customers']);
    expect(sel(['stg_orders+'])).toEqual(['stg_orders', 'orders_enriched', 'customer_orders', 'customers', 'customer_history', 'daily_orders', 'clusters']);
    expect(sel(['stg_orders+1'])).toEqual(['stg_orders', 'orders_enriched', 'daily_orders']);
  });

  it('@ adds descendants and all their ancestors', () => {
    expect(sel(['@customer_orders'])).toEqual([
      'rfm_rules', 'stg_orders', 'stg_customers', 'orders_enriched', 'customer_orders', 'customers', 'customer_history', 'clusters',
    ]);
  });

  it('unions words and repeated values, intersects comma parts', () => {
    expect(sel(['customers daily_orders'])).toEqual(['customers', 'daily_orders']);
    expect(sel(['customers', 'daily_orders'])).toEqual(['customers', 'daily_orders']);
    expect(sel(['tag:gold,config.materialized:table'])).toEqual(['customers', 'clusters']);
  });

  it('selects by tag, path, file path, config, resource type, source and wildcard', () => {
    expect(sel(['tag:bronze'])).toEqual(['stg_orders', 'stg_customers']);
    expect(sel(['path:models/gold'])).toEqual(['customers', 'customer_history', 'daily_orders', 'clusters']);
    expect(sel(['models/gold/customers.sql'])).toEqual(['customers']);
    expect(sel(['path:models/gold/'])).toHaveLength(4);
    expect(sel(['config.materialized:incremental'])).toEqual(['daily_orders']);
    expect(sel(['config.unique_key:day'])).toEqual(['daily_orders']);
    expect(sel(['resource_type:seed'])).toEqual(['rfm_rules']);
    expect(sel(['resource_type:snapshot'])).toEqual(['customer_history']);
    expect(sel(['source:shop.customers'])).toEqual(['stg_customers']);
    expect(sel(['source:shop'])).toEqual(['stg_orders', 'stg_customers']);
    expect(sel(['source:shop.customers+'])).toEqual(['stg_customers', 'customer_orders', 'customers', 'customer_history', 'clusters']);
    expect(sel(['stg_*'])).toEqual(['stg_orders', 'stg_customers']);
    expect(sel(['model.customers'])).toEqual(['customers']);
  });

  it('does not treat a path as a prefix of a longer folder name', () => {
    expect(() => sel(['path:models/gol'])).toThrow(UsageError);
  });

  it('removes excluded nodes', () => {
    expect(sel(['+customers'], ['stg_* resource_type:seed'])).toEqual(['orders_enriched', 'customer_orders', 'customers']);
    expect(sel([], ['tag:gold'])).toEqual(['rfm_rules', 'stg_orders', 'stg_customers', 'orders_enriched', 'customer_orders']);
  });

  it('rejects unknown names with the closest ones', () => {
    expect(() => sel(['customer'])).toThrow(/no model or seed is named "customer"; did you mean: customers, stg_customers, customer_orders\?/);
    expect(() => sel(['tag:glod'])).toThrow(/no node has tag "glod"; did you mean: gold/);
    expect(() => sel(['source:shp'])).toThrow(/no source "shp"; did you mean: shop/);
    expect(() => sel(['nope_*'])).toThrow(/no model or seed matches "nope_\*"/);
    expect(() => sel([], ['custmers'])).toThrow(UsageError);
  });

  it('rejects unknown methods and values', () => {
    expect(() => sel(['colour:red'])).toThrow(/unknown selector method "colour"/);
    expect(() => sel(['config.materialized:tabel'])).toThrow(/materialized must be one of/);
    expect(() => sel(['resource_type:test'])).toThrow(/resource_type must be one of/);
    expect(() => sel(['@+customers'])).toThrow(/cannot be combined/);
  });
});
