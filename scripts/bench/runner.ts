import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject } from '../compile/index.ts';
import { qualified } from '../core/sql.ts';
import { loadProject } from '../load/index.ts';
import { planBuild, selectNodes } from '../plan/index.ts';
import { stepsFor } from '../execute/materializations/index.ts';
import { runBuild } from '../cli/build.ts';
import { openProjectDatabase } from '../cli/session.ts';
import { machineLine } from './machine.ts';

const CHAINS = 20;
const DEPTH = 10;

/**
 * `npm run bench -- runner`: a synthetic project of 200 models (20 chains of 10, views and small
 * tables, with fans from a shared root), timed through the runner and as the same SQL run by a
 * bare script in one transaction on the same database.
 */
export async function benchRunner(log: (line: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-bench-runner-'));
  try {
    await writeProject(dir);
    const loadStart = performance.now();
    const project = await loadProject(dir);
    const compileStart = performance.now();
    const manifest = compileProject(project, {});
    const compileMs = performance.now() - compileStart;
    const models = manifest.nodes.length;
    log(`project: ${models} models; load ${(compileStart - loadStart).toFixed(0)} ms, compile ${compileMs.toFixed(0)} ms`);

    const db = await openProjectDatabase(dir, () => {}, 10);
    try {
      const version = (await db.pool.query<{ v: string }>('select version() as v')).rows[0]!.v.split(' on ')[0]!;
      const selected = selectNodes(manifest, { select: [], exclude: [] });
      const options = { projectDir: dir, select: [], exclude: [], vars: {}, threads: 4, fullRefresh: false };
      const buildStart = performance.now();
      const outcome = await runBuild({ command: 'bench', options, compiled: { project, manifest, selected, targetDir: join(dir, 'target') }, db, log: () => {} });
      const buildMs = performance.now() - buildStart;
      if (outcome.exitCode !== 0) throw new Error(`bench build failed: ${outcome.report.blockedBy}`);

      // the floor: the same statements, one transaction, one connection, no runner
      const plan = planBuild(manifest, { buildId: 999_999, selected, published: { buildId: null, relations: {}, stored: {} }, fullRefresh: false });
      const client = await db.pool.connect();
      const bareStart = performance.now();
      await client.query('begin');
      for (const schema of Object.values(plan.schemas)) await client.query(`create schema ${qualified({ schema, name: 'x' }).split('.')[0]}`);
      for (const planned of plan.nodes) for (const step of stepsFor(planned)) if (step.kind === 'sql') await client.query(step.sql);
      await client.query('commit');
      const bareMs = performance.now() - bareStart;
      for (const schema of Object.values(plan.schemas)) await client.query(`drop schema "${schema}" cascade`);
      client.release();

      log(machineLine(version));
      log(`compile:        ${compileMs.toFixed(0)} ms for ${models} models (aim < 500 ms)`);
      log(`runner build:   ${(buildMs / 1000).toFixed(2)} s (threads 4; includes tests, publish, records)`);
      log(`bare script:    ${(bareMs / 1000).toFixed(2)} s (same SQL, one transaction)`);
      log(`overhead:       ${((buildMs - bareMs) / models).toFixed(1)} ms per model (aim < 25 ms)`);
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'models', 'silver'), { recursive: true });
  await mkdir(join(dir, 'models', 'gold'), { recursive: true });
  const yaml = ['version: 2', 'project:', '  name: bench', 'models:'];
  await writeFile(join(dir, 'models', 'silver', 'root.sql'), 'select g as id, g % 97 as k, g * 1.5 as amount\nfrom generate_series(1, 2000) as g\n');
  yaml.push('  - name: root', '    columns:', '      - name: id', '        data_tests: [unique, not_null]');
  for (let c = 0; c < CHAINS; c++) {
    for (let d = 0; d < DEPTH - (c === 0 ? 1 : 0); d++) {
      const name = `m_${c}_${d}`;
      const parent = d === 0 ? 'root' : `m_${c}_${d - 1}`;
      const layer = d % 3 === 2 ? 'gold' : 'silver';
      const sql = `-- chain ${c}, step ${d}\nselect id, k, amount + ${d} as amount\nfrom {{ ref('${parent}') }}\nwhere k <> ${(c + d) % 97}\n`;
      await writeFile(join(dir, 'models', layer, `${name}.sql`), sql);
    }
  }
  await writeFile(join(dir, 'schema.yml'), yaml.join('\n') + '\n');
}
