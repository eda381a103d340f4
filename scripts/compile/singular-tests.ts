import { CompileError } from '../core/errors.ts';
import type { Severity, SingularTestFile } from '../core/types.ts';
import type { Inliner } from './assemble.ts';
import type { TemplateEnvironment } from './environment.ts';
import { checkSources, resolveRef, type NameIndex } from './link.ts';
import { lineOfCall } from './locate.ts';
import { renderFile } from './render-file.ts';
import { didYouMean } from '../core/suggest.ts';
import type { TestDraft } from './test-ids.ts';
import { PLAIN_COLUMN } from './test-sql.ts';

const TEST_CONFIG_KEYS = ['severity', 'enabled', 'tags', 'meta', 'scope_by'];

/**
 * Compiles the singular tests (`*.sql` under the test paths): rendered like models, with
 * ephemeral refs inlined; `{{ config(severity='warn') }}` sets the severity. The SQL returns
 * the failing rows as it is.
 */
export function compileSingularTests(
  files: readonly SingularTestFile[],
  environment: TemplateEnvironment,
  index: NameIndex,
  sourceIds: ReadonlySet<string>,
  inliner: Inliner,
  errors: CompileError[],
): TestDraft[] {
  const drafts: TestDraft[] = [];
  for (const file of files) {
    const id = `test.singular.${file.name}`;
    const rendered = renderFile(environment, id, file.path, file.text, '', errors);
    if (!rendered) continue;
    const configLine = lineOfCall(file.text, 'config') ?? 1;
    const fail = (line: number, detail: string) => errors.push(new CompileError(id, { file: file.path, line }, detail));
    for (const key of Object.keys(rendered.config)) {
      if (!TEST_CONFIG_KEYS.includes(key)) fail(configLine, `unknown test config key '${key}'${didYouMean(key, TEST_CONFIG_KEYS)}`);
    }
    if (rendered.config['enabled'] === false) continue;
    const severity = readSeverity(rendered.config['severity']);
    if (severity === undefined) fail(configLine, `test severity must be 'error' or 'warn', got ${JSON.stringify(rendered.config['severity'])}`);
    const scopeBy = readScopeBy(rendered.config['scope_by']);
    if (scopeBy === null) fail(configLine, `scope_by must be a column name or a list of column names (plain lower-case identifiers), got ${JSON.stringify(rendered.config['scope_by'])}`);
    const direct: string[] = [];
    for (const name of rendered.refs) {
      const target = resolveRef(index, name);
      if ('error' in target) fail(lineOfCall(file.text, 'ref', [name]) ?? 1, target.error);
      else direct.push(target.id);
    }
    checkSources({ id, path: file.path, sources: rendered.sources, lineOfSource: (s, t) => lineOfCall(file.text, 'source', [s, t]) ?? 1 }, sourceIds, errors);
    const ephemeralLines = rendered.refs.filter((n) => inliner.isEphemeral(`model.${n}`)).map((n) => lineOfCall(file.text, 'ref', [n]) ?? 1);
    const { sql } = inliner.inline(rendered.sql, rendered.lineMap, direct, ephemeralLines.length ? Math.min(...ephemeralLines) : 1);
    const reads = inliner.reads(direct, rendered.sources);
    drafts.push({
      baseId: id,
      test: 'singular',
      severity: severity ?? 'error',
      sql,
      ...(scopeBy ? { scopeBy } : {}),
      reads: [...reads.dependsOn, ...reads.sources],
      location: { file: file.path, line: 1 },
    });
  }
  return drafts;
}

/**
 * `scope_by`: the columns the test is local to (docs/storage.md, "Tests local to a key"); null
 * when the value is not a column name or a non-empty list of them.
 */
function readScopeBy(value: unknown): readonly string[] | undefined | null {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string' && PLAIN_COLUMN.test(c))) return null;
  return [...new Set(list as string[])];
}

function readSeverity(value: unknown): Severity | undefined {
  if (value === undefined) return 'error';
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  return text === 'error' || text === 'warn' ? text : undefined;
}
