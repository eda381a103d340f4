import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_POINTS, buildRow, clearPauses, faultProject, goldChecksum, lastBuildId, pauseAt, publications, runCli, waitForPause, type FaultProject } from './harness.ts';

// Ctrl-C at five points of a build of the small fixture project, with `--vars {factor: 3}` so that
// anything of it that got published would change gold. After each: gold unchanged, the build
// recorded cancelled with its summary printed, exit 130, and the next build publishes.

let project: FaultProject;
beforeAll(async () => {
  project = await faultProject('faults_sigint');
});
afterAll(async () => {
  await project?.close();
});

describe('Ctrl-C (SIGINT to the process group, as a terminal sends it)', () => {
  for (const point of FAULT_POINTS) {
    it(`during the ${point}: recorded cancelled with a summary, exit 130, nothing published`, async () => {
      const pool = project.db.pool;
      const published = await publications(pool);
      await pauseAt(pool, point);
      const run = runCli(['build', '--project-dir', project.dir, '--vars', '{factor: 3}'], project.test.url);
      await waitForPause(pool, run);
      const buildId = await lastBuildId(pool);
      process.kill(-run.pgid, 'SIGINT');
      const result = await run.done;
      await clearPauses(pool);

      expect(result.code, run.output()).toBe(130);
      expect(result.stderr.match(/cancelling/g), run.output()).toHaveLength(1); // one Ctrl-C, counted once
      expect(result.stdout).toContain(`build ${buildId} NOT published (the build was cancelled)`);
      expect(result.stdout).toMatch(/tests: \d+ passed/);
      expect(result.stderr).not.toMatch(/at .*\.ts:\d+:\d+|node:events/);
      expect(await buildRow(pool, buildId)).toMatchObject({ status: 'cancelled', published: false });
      expect(await publications(pool)).toEqual(published);
      expect(await goldChecksum(pool)).toBe(project.baseline);
      await project.nextBuildPublishes();
    });
  }
});
