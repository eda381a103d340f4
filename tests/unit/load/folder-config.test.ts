import { describe, expect, it } from 'vitest';
import { folderConfigFor, modelDefaults, seedDefaults, splitTree } from '../../../scripts/load/folder-config.ts';

describe('folder config', () => {
  it('tells config keys from sub-folders as dbt does', () => {
    expect(splitTree({ '+materialized': 'table', schema: 'x', meta: { owner: 'a' }, '+tags': ['t'], marts: { '+schema': 'm' }, empty: null })).toEqual({
      config: { materialized: 'table', schema: 'x', meta: { owner: 'a' }, tags: ['t'] },
      children: { marts: { '+schema': 'm' }, empty: {} },
    });
  });

  it('applies built-in layer defaults, then every tree level by level, deepest last, tags accumulating', () => {
    const dbt = { '+materialized': 'view', marts: { '+materialized': 'table', '+tags': ['mart'], finance: { '+schema': 'finance', revenue: { '+alias': 'rev' } } } };
    const strata = { '+tags': ['all'], marts: { '+materialized': 'incremental' } };
    expect(folderConfigFor(modelDefaults('marts', 'analytics'), [dbt, strata], ['marts', 'finance', 'revenue'])).toEqual({
      schema: 'finance', materialized: 'incremental', tags: ['all', 'mart'], alias: 'rev',
    });
    expect(folderConfigFor(modelDefaults('marts', 'analytics'), [dbt, strata], ['marts', 'other'])).toEqual({
      schema: 'analytics', materialized: 'incremental', tags: ['all', 'mart'],
    });
  });

  it('gives bronze/silver views, gold tables and the default schema elsewhere', () => {
    expect(modelDefaults('bronze', 'analytics')).toEqual({ schema: 'bronze', materialized: 'view' });
    expect(modelDefaults('silver', 'analytics')).toEqual({ schema: 'silver', materialized: 'view' });
    expect(modelDefaults('gold', 'analytics')).toEqual({ schema: 'gold', materialized: 'table' });
    expect(modelDefaults(undefined, 'marts')).toEqual({ schema: 'marts', materialized: 'view' });
    expect(seedDefaults(false, 'analytics')).toEqual({ schema: 'bronze' });
    expect(seedDefaults(true, 'analytics')).toEqual({ schema: 'analytics' });
  });
});
