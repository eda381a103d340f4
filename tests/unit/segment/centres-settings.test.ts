import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/core/errors.ts';
import model from '../../../models/gold/segment_centres.ts';
import { SEGMENT_VAR_DEFAULTS, segmentSettings } from '../../../scripts/segment/pipeline/settings.ts';

describe('the segment_centres model declaration', () => {
  it('reads customer_features and the name overrides seed', () => {
    expect(model.dependsOn).toEqual(['customer_features', 'segment_name_overrides']);
  });
});

describe('segmentSettings (the segment vars)', () => {
  it('falls back to the documented defaults', () => {
    expect(segmentSettings({})).toEqual({
      features: SEGMENT_VAR_DEFAULTS.segment_features,
      k: undefined,
      kRange: [3, 8],
      seed: 42,
      sample: 10_000,
      restarts: 10,
    });
  });

  it('takes the project and command-line values', () => {
    const settings = segmentSettings({
      segment_features: ['recency_days', 'monetary'],
      segment_k: 4,
      segment_k_range: [2, 5],
      segment_seed: 7,
      segment_sample: 50_000,
      segment_restarts: 12,
    });
    expect(settings).toEqual({ features: ['recency_days', 'monetary'], k: 4, kRange: [2, 5], seed: 7, sample: 50_000, restarts: 12 });
  });

  it('refuses a sample above 50,000 customers, fewer than 10 restarts and other bad values, naming the var', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ segment_sample: 50_001 }, 'segment_sample'],
      [{ segment_restarts: 3 }, 'segment_restarts'],
      [{ segment_k: 1 }, 'segment_k'],
      [{ segment_k: 2.5 }, 'segment_k'],
      [{ segment_k_range: [3] }, 'segment_k_range'],
      [{ segment_seed: '42' }, 'segment_seed'],
      [{ segment_features: [] }, 'segment_features'],
      [{ segment_features: ['monetary; drop table x'] }, 'segment_features'],
      [{ segment_features: ['monetary', 'monetary'] }, 'segment_features'],
    ];
    for (const [vars, name] of cases) {
      expect(() => segmentSettings(vars), JSON.stringify(vars)).toThrow(UsageError);
      expect(() => segmentSettings(vars)).toThrow(name);
    }
  });
});
