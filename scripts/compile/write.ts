import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format } from 'sql-formatter';
import type { Manifest } from '../core/types.ts';
import { stableStringify } from './stable-json.ts';

/**
 * Writes what compile produced, for people to read: `<targetDir>/compiled/<model path>` (the
 * model's SQL with relation tokens replaced by `resolve(target)`, formatted; the incremental
 * variant as `<name>.incremental.sql`), `compiled/tests/<test name>.sql`, and
 * `<targetDir>/manifest.json` (keys sorted). `compiled/` is replaced as a whole so no file of a
 * removed model lingers. The `this` token is passed to `resolve` as the target `'this'`.
 * The only function of compile that touches files.
 *
 * @example await writeCompiledArtifacts('target', manifest, publicPlanResolver(manifest))
 */
export async function writeCompiledArtifacts(
  targetDir: string,
  manifest: Manifest,
  resolve: (target: string) => string,
): Promise<void> {
  const compiledDir = path.join(targetDir, 'compiled');
  await rm(compiledDir, { recursive: true, force: true });
  const names = new Map<string, string>();
  const replace = (sql: string) =>
    sql.replace(/<<rel:[^<>\s]+>>/g, (token) => {
      const target = manifest.tokens[token]?.target;
      if (target === undefined) return token;
      let name = names.get(target);
      if (name === undefined) {
        name = resolve(target);
        names.set(target, name);
      }
      return name;
    });
  const files: [string, string][] = [];
  for (const node of manifest.nodes) {
    if (node.sql === undefined) continue;
    files.push([node.path, node.sql]);
    if (node.sqlIncremental !== undefined) files.push([node.path.replace(/\.sql$/, '.incremental.sql'), node.sqlIncremental]);
  }
  for (const test of manifest.tests) files.push([`tests/${test.name}.sql`, test.sql]);
  for (const [file, sql] of files) {
    const out = path.join(compiledDir, file);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${formatSql(replace(sql))}\n`);
  }
  await mkdir(targetDir, { recursive: true });
  await writeFile(path.join(targetDir, 'manifest.json'), `${stableStringify(manifest)}\n`);
}

/** Formatted for reading; SQL the formatter cannot parse is written as compiled. */
function formatSql(sql: string): string {
  try {
    return format(sql, { language: 'postgresql', keywordCase: 'lower' });
  } catch {
    return sql;
  }
}
