import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../core/types.ts';
import { stableStringify } from './stable-json.ts';

/**
 * Writes what compile produced, for people to read: `<targetDir>/compiled/<model path>` (the
 * model's SQL with relation tokens replaced by `resolve(target)`, formatted; the incremental
 * variant as `<name>.incremental.sql`), `compiled/tests/<test name>.sql`, and
 * `<targetDir>/manifest.json` (keys sorted). No file of a removed model or test lingers. The `this`
 * token is passed to `resolve` as the target `'this'`. The only function of compile that touches
 * files.
 *
 * Formatting every model and test took about a second of every build (600 statements through
 * sql-formatter, before the first node could start), though they rarely change between builds:
 * `compiled/.sources.json` keeps a hash of each file's SQL as compiled, and a file whose SQL has
 * the same hash and is still there is not formatted again. Without that record (a first run, a
 * directory written before it) `compiled/` is replaced as a whole. A build whose compile came
 * from the cache with the key the files were written from (compile/cache.ts) writes nothing: the
 * hashing and checking alone were about 0.1 s of each build.
 *
 * @example await writeCompiledArtifacts('target', manifest, publicPlanResolver(manifest))
 */
export async function writeCompiledArtifacts(
  targetDir: string,
  manifest: Manifest,
  resolve: (target: string) => string,
  /** the compile's key (compile/cache.ts): when the files were last written from the same, they are left as they are */
  compileKey?: string,
): Promise<void> {
  const compiledDir = path.join(targetDir, 'compiled');
  const record = path.join(compiledDir, SOURCES);
  const kept = await readRecord(record);
  if (compileKey !== undefined && kept?.compileKey === compileKey && (await exists(path.join(targetDir, 'manifest.json')))) return;
  const previous = kept?.files;
  if (previous === undefined) await rm(compiledDir, { recursive: true, force: true });
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
  const written: Record<string, string> = {};
  for (const [file, compiled] of files) {
    const sql = replace(compiled);
    const hash = createHash('sha256').update(sql).digest('hex');
    written[file] = hash;
    const out = path.join(compiledDir, file);
    if (previous?.[file] === hash && (await exists(out))) continue;
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${await formatSql(sql)}\n`);
  }
  for (const file of Object.keys(previous ?? {})) {
    if (!Object.hasOwn(written, file)) await rm(path.join(compiledDir, file), { force: true });
  }
  await mkdir(compiledDir, { recursive: true });
  await mkdir(targetDir, { recursive: true });
  await writeFile(path.join(targetDir, 'manifest.json'), `${stableStringify(manifest)}\n`);
  // last: a run stopped before this point leaves a record that does not claim the new key
  const next: SourcesRecord = { ...(compileKey === undefined ? {} : { compileKey }), files: written };
  await writeFile(record, `${JSON.stringify(next)}\n`);
}

/**
 * compiled/'s record: the SQL each file was formatted from (file → sha256), and the key of the
 * compile they were all written from.
 */
const SOURCES = '.sources.json';

interface SourcesRecord {
  readonly compileKey?: string;
  readonly files: Record<string, string>;
}

async function readRecord(file: string): Promise<SourcesRecord | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const { compileKey, files } = parsed as Partial<SourcesRecord>;
    if (files === null || typeof files !== 'object' || Array.isArray(files)) return undefined;
    return { ...(typeof compileKey === 'string' ? { compileKey } : {}), files };
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Formatted for reading; SQL the formatter cannot parse is written as compiled. sql-formatter is
 * loaded on first use: a build whose files are all up to date never needs it.
 */
async function formatSql(sql: string): Promise<string> {
  formatter ??= import('sql-formatter').then((m) => m.format);
  const format = await formatter;
  try {
    return format(sql, { language: 'postgresql', keywordCase: 'lower' });
  } catch {
    return sql;
  }
}

let formatter: Promise<typeof import('sql-formatter').format> | undefined;
