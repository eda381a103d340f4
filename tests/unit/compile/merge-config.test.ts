import { describe, expect, it } from 'vitest';
import { mergeConfigValue } from '../../../scripts/core/merge-config.ts';
import { mergeLayers } from '../../../scripts/compile/config-merge.ts';
import { mergeConfig } from '../../../scripts/load/folder-config.ts';

describe('the one config rule', () => {
  it('lets the later value win, except tags, which accumulate without repeats', () => {
    expect(mergeConfigValue('materialized', 'view', 'table')).toBe('table');
    expect(mergeConfigValue('tags', ['gold'], 'ml')).toEqual(['gold', 'ml']);
    expect(mergeConfigValue('tags', 'gold', ['gold', 'ml'])).toEqual(['gold', 'ml']);
    expect(mergeConfigValue('tags', undefined, ['ml'])).toEqual(['ml']);
  });

  it('is what both the folder merger (load) and the layer merger (compile) apply', () => {
    const base = { materialized: 'view', tags: ['bronze'], schema: 'bronze' };
    const over = { materialized: 'table', tags: 'pii' };
    const folders = mergeConfig(base, over);
    const layers = mergeLayers([
      { values: base, location: { file: 'dbt_project.yml', line: 3 } },
      { values: { '+materialized': 'table', tags: 'pii' }, location: { file: 'models/a.sql', line: 1 } },
    ]);
    expect(folders).toEqual({ materialized: 'table', tags: ['bronze', 'pii'], schema: 'bronze' });
    expect(Object.fromEntries([...layers].map(([k, e]) => [k, e.value]))).toEqual(folders);
    expect(layers.get('tags')!.location).toEqual({ file: 'models/a.sql', line: 1 });
  });
});
