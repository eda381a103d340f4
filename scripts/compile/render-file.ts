import { CompileError } from '../core/errors.ts';
import type { TemplateEnvironment } from './environment.ts';
import { computeLineMap } from './line-map.ts';
import { lineOfCall } from './locate.ts';
import { renderTemplate } from './render.ts';
import { trimStatement } from './ephemeral.ts';

/** A SQL template rendered for a node, with what it reads and the config it set. */
export interface RenderedFile {
  /** rendered with is_incremental() false; trailing whitespace and `;` removed */
  readonly sql: string;
  readonly lineMap: readonly number[];
  /** rendered again with is_incremental() true, only when the template asked */
  readonly incremental?: { readonly sql: string; readonly lineMap: readonly number[] };
  /** ref() names of both renders, first call first */
  readonly refs: readonly string[];
  /** source ids of both renders */
  readonly sources: readonly string[];
  /** `{{ config() }}` of the first render, merged */
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Renders a model or singular test file: once with is_incremental() false and, if the template
 * called it, once more with it true. Template errors and vars with no value are pushed to
 * `errors` (with the file's line) and give `undefined`.
 */
export function renderFile(
  environment: TemplateEnvironment,
  node: string,
  file: string,
  text: string,
  layer: string,
  errors: CompileError[],
): RenderedFile | undefined {
  const name = node.slice(node.indexOf('.') + 1);
  const first = renderTemplate(environment, text, file, { isIncremental: false, layer, name });
  if (!first.ok) {
    errors.push(new CompileError(node, { file, line: first.line }, `template error: ${first.message}`));
    return undefined;
  }
  const second = first.calls.calledIsIncremental
    ? renderTemplate(environment, text, file, { isIncremental: true, layer, name })
    : undefined;
  if (second && !second.ok) {
    errors.push(new CompileError(node, { file, line: second.line }, `template error (with is_incremental() true): ${second.message}`));
    return undefined;
  }
  const calls = second ? [first.calls, second.calls] : [first.calls];
  const missing = [...new Set(calls.flatMap((c) => c.missingVars))];
  for (const variable of missing) {
    const line = lineOfCall(text, 'var', [variable]) ?? 1;
    errors.push(new CompileError(node, { file, line }, `var '${variable}' has no value and no default; set it in the project's vars or pass it with --vars`));
  }
  if (missing.length > 0) return undefined;
  const sql = trimStatement(first.sql);
  return {
    sql,
    lineMap: computeLineMap(text, sql),
    ...(second?.ok
      ? { incremental: { sql: trimStatement(second.sql), lineMap: computeLineMap(text, trimStatement(second.sql)) } }
      : {}),
    refs: [...new Set(calls.flatMap((c) => c.refs))],
    sources: [...new Set(calls.flatMap((c) => c.sources.map(([s, t]) => `source.${s}.${t}`)))],
    config: Object.assign({}, ...first.calls.configs) as Record<string, unknown>,
  };
}
