import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * Where a test writes files: inside the run's scratch folder (tests/support/global-setup.ts),
 * which the run removes when it ends, so a test that fails or forgets leaves nothing in /tmp.
 */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(inject('scratchDir'), `${prefix}-`));
}

/** The target/ folder of this test process's builds: test files build the same project at once, each process in its own folder. */
export function testTargetDir(): string {
  const dir = join(inject('scratchDir'), `target-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
