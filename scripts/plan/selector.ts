import { UsageError } from '../core/errors.ts';

/**
 * One selector atom, dbt syntax: `[@][N+]method:value[+N]`.
 *
 * @example parseSelector('2+tag:gold+1') // {method:'tag', value:'gold', parents:2, children:1, at:false}
 */
export interface SelectorAtom {
  readonly raw: string;
  /** name, tag, path, source, resource_type or config.<key> */
  readonly method: string;
  readonly value: string;
  /** ancestor depth to add: 0 none, Infinity for a bare `+` */
  readonly parents: number;
  /** descendant depth to add: 0 none, Infinity for a bare `+` */
  readonly children: number;
  /** `@x`: x, its descendants, and every ancestor of those */
  readonly at: boolean;
}

const METHODS = ['name', 'tag', 'path', 'source', 'resource_type'];

const ATOM = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

/** Parses one atom (no spaces, no commas). Throws UsageError on malformed input. */
export function parseSelector(raw: string): SelectorAtom {
  const m = ATOM.exec(raw);
  if (!m || m[3] === undefined) throw new UsageError(`invalid selector "${raw}"`);
  const [, at, up, body, down] = m;
  if (at && up !== undefined) {
    throw new UsageError(`invalid selector "${raw}": "@" cannot be combined with a leading "+"`);
  }
  const { method, value } = splitMethod(body);
  if (value === '') throw new UsageError(`invalid selector "${raw}": nothing after "${method}:"`);
  return {
    raw,
    method,
    value,
    parents: depth(up),
    children: depth(down),
    at: at !== undefined,
  };
}

function depth(text: string | undefined): number {
  if (text === undefined) return 0;
  return text === '' ? Infinity : Number(text);
}

function splitMethod(body: string): { method: string; value: string } {
  const colon = body.indexOf(':');
  if (colon < 0) {
    // dbt reads a bare word with a slash or a file extension as a path
    const looksLikePath = body.includes('/') || /\.(sql|ts|csv)$/.test(body);
    return { method: looksLikePath ? 'path' : 'name', value: body };
  }
  const method = body.slice(0, colon);
  const value = body.slice(colon + 1);
  if (!METHODS.includes(method) && !/^config\.\w+$/.test(method)) {
    throw new UsageError(`unknown selector method "${method}" in "${body}"; use one of: ${[...METHODS, 'config.<key>'].join(', ')}`);
  }
  return { method, value };
}
