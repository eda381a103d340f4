import { userInfo } from 'node:os';
import type { Database } from '../db/connect.ts';
import { acquireBuildLock } from '../execute/build-lock.ts';
import { biAccessOf } from '../publish/bi-role.ts';
import { publish } from '../publish/publish.ts';
import { findRollbackTarget } from '../publish/rollback-target.ts';
import type { Compiled } from './session.ts';

/** `rollback`: republish the previous kept build (the same pointer UPDATE as a build), under the build lock. */
export async function runRollback(compiled: Compiled, db: Database, log: (line: string) => void): Promise<number> {
  const lock = await acquireBuildLock(db.pool);
  try {
    const target = await findRollbackTarget(db.pool);
    await publish(db.pool, {
      manifest: compiled.manifest,
      buildId: target.toBuild,
      rows: target.rows,
      kind: 'rollback',
      by: userInfo().username,
      bi: biAccessOf(compiled.project.settings),
      retry: { lockTimeoutMs: 500, attempts: 40, log },
    });
    process.stdout.write(`rolled back: build ${target.toBuild} is published again (was ${target.fromBuild})\n`);
    return 0;
  } finally {
    await lock.release();
  }
}
