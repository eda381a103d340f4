import { describe, expect, it } from 'vitest';
import type { NodeResult, TestResult } from '../../../scripts/core/types.ts';
import { blockedBy, buildEnding } from '../../../scripts/report/verdict.ts';

const node = (id: string, status: NodeResult['status']): NodeResult => ({ id, status, rows: null, durationMs: 1 });
const test = (id: string, status: TestResult['status'], severity: TestResult['severity'] = 'error'): TestResult => ({
  id, status, severity, failures: status === 'pass' ? 0 : 3, durationMs: 1, location: { file: 'models/x.yml', line: 4 },
});

describe('blockedBy', () => {
  it('lets a build with every node done and every error test passing publish', () => {
    expect(blockedBy({ nodes: [node('model.a', 'success')], tests: [test('test.a', 'pass'), test('test.w', 'warn', 'warn')], cancelled: false })).toBeUndefined();
  });

  it('names the first node that failed or was skipped, before any test', () => {
    const nodes = [node('model.a', 'success'), node('model.b', 'error'), node('model.c', 'skipped')];
    expect(blockedBy({ nodes, tests: [test('test.x', 'fail')], cancelled: false })).toBe('model.b failed');
    expect(blockedBy({ nodes: [node('model.c', 'skipped')], tests: [], cancelled: false })).toBe('model.c was skipped');
  });

  it('names a failing or erroring error-severity test; a warning never blocks', () => {
    expect(blockedBy({ nodes: [], tests: [test('test.w', 'warn', 'warn'), test('test.f', 'fail')], cancelled: false })).toBe('test test.f failed');
    expect(blockedBy({ nodes: [], tests: [test('test.e', 'error')], cancelled: false })).toBe('test test.e failed');
  });

  it('puts a cancel first', () => {
    expect(blockedBy({ nodes: [node('model.b', 'error')], tests: [], cancelled: true })).toBe('the build was cancelled');
  });
});

describe('buildEnding', () => {
  it('publishes with exit code 0 when nothing blocked and publishing worked', () => {
    expect(buildEnding(false, undefined)).toEqual({ status: 'success', published: true, exitCode: 0 });
  });

  it('exits 1 with the reason when blocked or when publishing failed', () => {
    expect(buildEnding(false, 'model.b failed')).toEqual({ status: 'error', published: false, blockedBy: 'model.b failed', exitCode: 1 });
    expect(buildEnding(false, undefined, 'publishing failed: lock')).toEqual({
      status: 'error', published: false, blockedBy: 'publishing failed: lock', exitCode: 1,
    });
  });

  it('exits 130 when cancelled', () => {
    expect(buildEnding(true, 'the build was cancelled')).toEqual({
      status: 'cancelled', published: false, blockedBy: 'the build was cancelled', exitCode: 130,
    });
  });
});
