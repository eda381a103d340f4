import { describe, expect, it } from 'vitest';
import { InterruptCounter } from '../../../scripts/cli/interrupt.ts';
import { checkVars } from '../../../scripts/cli/vars-check.ts';
import { UsageError } from '../../../scripts/core/errors.ts';
import type { ProjectSettings } from '../../../scripts/core/types.ts';
import { serverLostReason } from '../../../scripts/db/server-lost.ts';
import { rowCount } from '../../../scripts/report/summary.ts';

describe('one Ctrl-C', () => {
  it('is counted once when tsx or npm relays it within the window; a later one forces', () => {
    const counter = new InterruptCounter(1000);
    expect(counter.requested).toBe(false);
    expect(counter.signal(10_000)).toBe('cancel');
    expect(counter.signal(10_030)).toBe('repeat');
    expect(counter.signal(10_450)).toBe('repeat');
    expect(counter.requested).toBe(true);
    expect(counter.signal(11_500)).toBe('force');
  });
});

const settings: ProjectSettings = {
  name: 'p',
  dir: '/p',
  vars: { churn_days: 90, segment_k: null, as_of: null, clv_model: 'auto', clv_discount_rate: 0.01, segment_k_range: [3, 8] },
  varTypes: { segment_k: 'integer', as_of: 'date' },
  biRole: 'bi',
  biLayers: ['gold'],
  keepBuilds: 3,
  metadataSchema: 'strata_meta',
};

describe('--vars checked before a build', () => {
  it('warns about an unknown var, naming the closest known one', () => {
    expect(checkVars({ churn_dayz: 60 }, settings)).toEqual([
      "--vars: churn_dayz is not a var of this project; did you mean 'churn_days'? (models that do not read it ignore it)",
    ]);
    expect(checkVars({ churn_days: 60, segment_k: 4, as_of: '2011-12-10', clv_discount_rate: 0.02, segment_k_range: [2, 5] }, settings)).toEqual([]);
    expect(checkVars({ segment_k: null, as_of: null }, settings)).toEqual([]);
  });

  it('refuses a var of the wrong type as a usage error (exit 2)', () => {
    expect(() => checkVars({ segment_k: 'four' }, settings)).toThrow(UsageError);
    expect(() => checkVars({ segment_k: 'four' }, settings)).toThrow('--vars: segment_k must be a whole number, not "four"');
    expect(() => checkVars({ churn_days: 'sixty' }, settings)).toThrow('churn_days must be a whole number');
    expect(() => checkVars({ as_of: 'yesterday' }, settings)).toThrow('as_of must be a date (YYYY-MM-DD)');
    expect(() => checkVars({ segment_k_range: 5 }, settings)).toThrow('segment_k_range must be a list');
    expect(() => checkVars({ churn_days: null }, settings)).toThrow('churn_days must be a whole number, not null');
    try {
      checkVars({ segment_k: 'four' }, settings);
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
    }
  });
});

describe('the server going away', () => {
  it('is told apart from a failing statement, in a sentence', () => {
    expect(serverLostReason({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(
      'the database server restarted during the build (57P01 admin_shutdown)',
    );
    expect(serverLostReason(new Error('Connection terminated unexpectedly'))).toContain('Connection terminated unexpectedly');
    expect(serverLostReason({ code: 'ECONNREFUSED' })).toContain('connection refused');
    expect(serverLostReason({ code: '42P01', message: 'relation "x" does not exist' })).toBeUndefined();
  });
});

describe('row counts', () => {
  it('say 1 row, not 1 rows', () => {
    expect(rowCount(1)).toBe('1 row');
    expect(rowCount(0)).toBe('0 rows');
    expect(rowCount(2048)).toBe('2,048 rows');
  });
});
