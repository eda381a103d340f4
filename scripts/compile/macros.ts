import nunjucks from 'nunjucks';
import { CompileError } from '../core/errors.ts';
import type { MacroFile } from '../core/types.ts';
import { templateErrorLocation } from './template-error.ts';

/** Names the runner provides; a macro cannot take them. */
const RESERVED = ['ref', 'source', 'var', 'config', 'this', 'target', 'is_incremental', 'exceptions', 'log'];

/** The part of nunjucks' Template that reads a template's top-level macros. */
interface ExportingTemplate {
  getExported(context: object, frame: null, callback: (error: unknown, exported: Record<string, unknown>) => void): void;
}

/**
 * Makes every top-level macro of the macro files a global of `env`, so models and other macros
 * call them by name (as in dbt, where all macros share one namespace). A macro defined twice, or
 * named like one of the runner's globals, is an error at its line.
 */
export function loadMacros(env: nunjucks.Environment, macros: readonly MacroFile[], errors: CompileError[]): void {
  const definedIn = new Map<string, string>();
  for (const macro of macros) {
    let exported: Record<string, unknown> = {};
    try {
      const template = new nunjucks.Template(macro.text, env, macro.path, true) as unknown as ExportingTemplate;
      template.getExported({}, null, (error, result) => {
        if (error) throw error;
        exported = result;
      });
    } catch (error) {
      const { line, message } = templateErrorLocation(error, macro.text, 'parse');
      errors.push(new CompileError(undefined, { file: macro.path, line }, `template error in macro file: ${message}`));
      continue;
    }
    for (const [name, value] of Object.entries(exported).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const location = { file: macro.path, line: lineOfMacro(macro.text, name) };
      const other = definedIn.get(name);
      if (RESERVED.includes(name)) {
        errors.push(new CompileError(undefined, location, `macro '${name}' has the name of a built-in; rename it`));
      } else if (other !== undefined) {
        errors.push(new CompileError(undefined, location, `macro '${name}' is also defined in ${other}`));
      } else {
        definedIn.set(name, macro.path);
        env.addGlobal(name, value);
      }
    }
  }
}

function lineOfMacro(text: string, name: string): number {
  const match = new RegExp(`\\{%-?\\s*macro\\s+${name}\\b`).exec(text);
  return match ? text.slice(0, match.index).split('\n').length : 1;
}
