import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedServer } from '../../scripts/db/embedded.ts';
import { buildRow, clearPauses, faultProject, goldChecksum, lastBuildId, pauseAt, publications, runCli, waitForPause, type FaultProject } from './harness.ts';

// A server restart in the middle of a build, against a server this test starts itself (the one
// every other test file shares must stay up).

let dir: string;
let server: EmbeddedServer;
let project: FaultProject;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-faults-restart-'));
  server = await startEmbedded(join(dir, '.strata'));
  project = await faultProject('faults_restart', server.url);
});
afterAll(async () => {
  await project?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the database server restarting mid-build', () => {
  it('ends the build as error naming the running node and 57P01, without a stack; the next build publishes', async () => {
    const pool = project.db.pool;
    const published = await publications(pool);
    await pauseAt(pool, 'sql model');
    const run = runCli(['build', '--project-dir', project.dir, '--vars', '{factor: 3}'], project.test.url);
    await waitForPause(pool, run);
    const buildId = await lastBuildId(pool);
    await server.restart();
    const result = await run.done;
    await clearPauses(pool);

    const output = run.output();
    expect(result.code, output).toBe(1);
    expect(output).toContain('the database server restarted during the build (57P01 admin_shutdown)');
    expect(output).toMatch(/ERROR +silver\.doubled/);
    expect(result.stdout).toContain(`build ${buildId} NOT published (the database server restarted during the build (57P01 admin_shutdown) while model doubled ran)`);
    expect(output).not.toMatch(/node:events|Unhandled 'error' event|unexpected error|at .*\.(ts|js):\d+:\d+/);
    const row = await buildRow(pool, buildId);
    expect(row).toMatchObject({ status: 'error', published: false });
    expect(row.message).toContain('57P01');
    expect(await publications(pool)).toEqual(published);
    expect(await goldChecksum(pool)).toBe(project.baseline);
    await project.nextBuildPublishes();
  });
});
