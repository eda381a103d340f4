import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAULT_POINTS,
  buildRow,
  clearPauses,
  faultProject,
  goldChecksum,
  lastBuildId,
  pauseAt,
  publications,
  runCli,
  sleepingBuildSessions,
  waitForPause,
  type FaultProject,
} from './harness.ts';

// kill -9 at five points of a build of the small fixture project (`--vars {factor: 3}`, so that
// anything of it that got published would change gold). The killed build's statement runs on in
// the server; the next build ends it, records the build cancelled, and publishes.

let project: FaultProject;
beforeAll(async () => {
  project = await faultProject('faults_kill');
});
afterAll(async () => {
  await project?.close();
});

describe('kill -9 of the process group', () => {
  for (const point of FAULT_POINTS) {
    it(`during the ${point}: nothing published; the next build ends the leftover session, records it cancelled and publishes`, async () => {
      const pool = project.db.pool;
      const published = await publications(pool);
      await pauseAt(pool, point);
      const run = runCli(['build', '--project-dir', project.dir, '--vars', '{factor: 3}'], project.test.url);
      await waitForPause(pool, run);
      const buildId = await lastBuildId(pool);
      process.kill(-run.pgid, 'SIGKILL');
      await run.done;

      // the killed build's statement runs on in the server, still holding what it holds
      expect(await sleepingBuildSessions(pool)).toBe(1);
      expect(await publications(pool)).toEqual(published);
      // the publish point's leftover holds the public views' locks: gold is read after the next build
      if (point !== 'publish') expect(await goldChecksum(pool)).toBe(project.baseline);
      await clearPauses(pool);

      await project.nextBuildPublishes();
      expect(await buildRow(pool, buildId)).toMatchObject({ status: 'cancelled', published: false });
      expect((await publications(pool)).slice(0, -1)).toEqual(published);
    });
  }
});
