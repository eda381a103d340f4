import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Compiled } from '../../cli/session.ts';
import { writeCompiledArtifacts } from '../../compile/write.ts';
import type { Queryable } from '../../panels/run.ts';
import { publicPlanResolver } from '../../plan/public-resolver.ts';
import type { TestRun } from './pages.ts';
import { readTestRuns } from './test-runs.ts';
import { writeDocsSite } from './write-site.ts';

/**
 * The docs site of a compiled project: writes target/compiled (the SQL the pages show, relations
 * named as users query them), reads the tests' last results when `db` is given, writes the pages
 * into `out`. Returns the number of pages.
 */
export async function buildDocsSite(compiled: Compiled, out: string, db?: Queryable): Promise<number> {
  const { manifest, targetDir } = compiled;
  await writeCompiledArtifacts(targetDir, manifest, publicPlanResolver(manifest));
  const compiledSql = new Map<string, string>();
  for (const node of manifest.nodes) {
    if (node.sql !== undefined) compiledSql.set(node.id, await readFile(join(targetDir, 'compiled', node.path), 'utf8'));
  }
  const testRuns: Map<string, TestRun> = db ? await readTestRuns(db) : new Map();
  return writeDocsSite(out, { manifest, compiledSql, testRuns, generatedAt: new Date() });
}
