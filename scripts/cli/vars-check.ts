import { UsageError } from '../core/errors.ts';
import { closest } from '../core/suggest.ts';
import type { ProjectSettings, VarType } from '../core/types.ts';

/**
 * `--vars` checked against the project before anything runs. A var of the wrong type is a usage
 * error (exit 2) now, not a model failing halfway through a build. A name the project does not
 * declare is only a warning (a model may still read it with a default: `var('x', 3)`), naming the
 * closest declared var, since it is most often a typo that would otherwise be ignored silently.
 *
 * @returns warnings to print
 * @example checkVars({ churn_dayz: 60 }, settings) // ["--vars: churn_dayz is not a var of this project; did you mean 'churn_days'? …"]
 */
export function checkVars(given: Readonly<Record<string, unknown>>, settings: ProjectSettings): readonly string[] {
  const declared = new Set([...Object.keys(settings.vars), ...Object.keys(settings.varTypes ?? {})]);
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (!declared.has(name)) {
      const near = closest(name, declared);
      warnings.push(
        `--vars: ${name} is not a var of this project${near ? `; did you mean '${near}'?` : ''} (models that do not read it ignore it)`,
      );
      continue;
    }
    const declaredType = settings.varTypes?.[name];
    const expected = declaredType ?? kindOf(settings.vars[name]);
    if (expected === undefined || (value === null && (declaredType !== undefined || settings.vars[name] === null))) continue;
    if (!fits(value, expected)) {
      errors.push(`--vars: ${name} must be ${article(expected)}, not ${JSON.stringify(value)}`);
    }
  }
  if (errors.length > 0) throw new UsageError(errors.join('\n'));
  return warnings;
}

/** The kind a default value implies; undefined for null (then only var_types can say). */
function kindOf(value: unknown): VarType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'list' : 'mapping';
}

function fits(value: unknown, type: VarType): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value.slice(0, 10)));
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'mapping':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

function article(type: VarType): string {
  const words: Record<VarType, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'text',
    date: 'a date (YYYY-MM-DD)',
    boolean: 'true or false',
    list: 'a list',
    mapping: 'a mapping',
  };
  return words[type];
}
