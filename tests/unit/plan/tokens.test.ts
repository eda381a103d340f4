import { describe, expect, it } from 'vitest';
import { publicPlanResolver } from '../../../scripts/plan/public-resolver.ts';
import { replaceTokens, resolveTokens } from '../../../scripts/plan/tokens.ts';
import { buildTag } from '../../../scripts/plan/build-tag.ts';
import { shopManifest } from './fixture.ts';

const m = shopManifest();

describe('resolveTokens', () => {
  it('quotes schema and name, escaping quotes, and keeps line count', () => {
    const sql = 'select *\nfrom <<rel:model.customers>> c\njoin <<rel:model.customers>> d on true';
    const out = resolveTokens(sql, m.tokens, () => ({ schema: 'gold__b000001', name: 'we"ird' }));
    expect(out).toBe('select *\nfrom "gold__b000001"."we""ird" c\njoin "gold__b000001"."we""ird" d on true');
    expect(out.split('\n')).toHaveLength(3);
  });

  it('leaves text that is not a known token alone', () => {
    expect(replaceTokens('select \'<<rel:model.unknown>>\'', m.tokens, () => 'x')).toBe("select '<<rel:model.unknown>>'");
    expect(replaceTokens('select 1', {}, () => 'x')).toBe('select 1');
  });
});

describe('publicPlanResolver', () => {
  it('renders public views and physical source tables', () => {
    const r = publicPlanResolver(m, 'model.daily_orders');
    expect(replaceTokens('select * from <<rel:model.stg_orders>>, <<rel:this>>, <<rel:source.shop.orders>>', m.tokens, r)).toBe(
      'select * from "bronze"."stg_orders", "gold"."orders_daily", "raw"."orders_raw"',
    );
    expect(publicPlanResolver(m)('this')).toBe('{{ this }}');
    expect(() => publicPlanResolver(m)('model.nope')).toThrow(/model nope is not in the manifest/);
  });
});

describe('buildTag', () => {
  it('zero-pads to six digits', () => {
    expect(buildTag(42)).toBe('b000042');
    expect(buildTag(1234567)).toBe('b1234567');
    expect(() => buildTag(-1)).toThrow(RangeError);
  });
});
