import nunjucks from 'nunjucks';
import type { CompileError } from '../core/errors.ts';
import type { MacroFile } from '../core/types.ts';
import { loadMacros } from './macros.ts';
import { relationToken } from './tokens.ts';

/** What one render asked for, gathered by the globals while it ran. */
export interface RenderCalls {
  /** ref() names, in call order */
  readonly refs: string[];
  readonly sources: (readonly [string, string])[];
  /** every config() call's arguments */
  readonly configs: Record<string, unknown>[];
  /** var() names with no value and no default */
  readonly missingVars: string[];
  calledIsIncremental: boolean;
}

/** What the template sees as its own node. */
export interface RenderScope {
  readonly isIncremental: boolean;
  /** target.schema: the node's layer */
  readonly layer: string;
  readonly name: string;
}

/** A nunjucks environment with strata's dbt-style globals and the project's macros. */
export interface TemplateEnvironment {
  readonly env: nunjucks.Environment;
  /** the calls of the render in progress; set by render.ts around each render */
  current: { scope: RenderScope; calls: RenderCalls } | undefined;
}

let jinjaCompatInstalled = false;

/**
 * Builds the environment for one compile: globals resolve against `vars` and record what each
 * render calls (ref and source render to relation tokens), and every macro of `macros/**.sql`
 * becomes a global so models and other macros can call it by name. Macro problems are pushed
 * to `errors`.
 */
export function createEnvironment(
  vars: Readonly<Record<string, unknown>>,
  seedNames: ReadonlySet<string>,
  macros: readonly MacroFile[],
  errors: CompileError[],
): TemplateEnvironment {
  if (!jinjaCompatInstalled) {
    // True/False/None, dict.items(), list slices: the Jinja that dbt projects are written in
    nunjucks.installJinjaCompat();
    jinjaCompatInstalled = true;
  }
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  const holder: TemplateEnvironment = { env, current: undefined };
  const calls = (): RenderCalls => {
    if (!holder.current) throw new Error('strata: a template global was called outside a render');
    return holder.current.calls;
  };
  env.addGlobal('ref', (...args: unknown[]) => {
    const names = positional(args).filter((a): a is string => typeof a === 'string');
    const name = names[names.length - 1];
    if (name === undefined) throw new Error("ref() needs a model or seed name: ref('customers')");
    calls().refs.push(name);
    return relationToken(`${seedNames.has(name) ? 'seed' : 'model'}.${name}`);
  });
  env.addGlobal('source', (...args: unknown[]) => {
    const [source, table] = positional(args);
    if (typeof source !== 'string' || typeof table !== 'string') {
      throw new Error("source() needs a source and a table name: source('shop', 'orders')");
    }
    calls().sources.push([source, table]);
    return relationToken(`source.${source}.${table}`);
  });
  env.addGlobal('var', (...args: unknown[]) => {
    const [name] = args;
    if (typeof name !== 'string') throw new Error("var() needs a name: var('churn_days')");
    if (Object.hasOwn(vars, name)) return vars[name];
    if (args.length >= 2) return args[1];
    calls().missingVars.push(name);
    return '';
  });
  env.addGlobal('config', (...args: unknown[]) => {
    const config: Record<string, unknown> = {};
    for (const arg of args) {
      if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) Object.assign(config, arg);
    }
    delete config['__keywords'];
    calls().configs.push(config);
    return '';
  });
  env.addGlobal('is_incremental', () => {
    const current = holder.current;
    if (!current) return false;
    current.calls.calledIsIncremental = true;
    return current.scope.isIncremental;
  });
  env.addGlobal('this', {
    toString: () => relationToken('this'),
    get name() {
      return holder.current?.scope.name;
    },
    get identifier() {
      return holder.current?.scope.name;
    },
  });
  env.addGlobal('target', {
    name: 'default',
    type: 'postgres',
    get schema() {
      return holder.current?.scope.layer;
    },
  });
  env.addGlobal('exceptions', {
    raise_compiler_error: (message: unknown) => {
      throw new Error(String(message));
    },
    warn: () => '',
  });
  env.addGlobal('log', () => '');
  loadMacros(env, macros, errors);
  return holder;
}

/** Arguments without the keyword-arguments object nunjucks appends (marked `__keywords`). */
function positional(args: readonly unknown[]): unknown[] {
  return args.filter((a) => !(typeof a === 'object' && a !== null && '__keywords' in a));
}
