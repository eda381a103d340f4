import { CompileError } from '../core/errors.ts';
import type { Draft } from './drafts.ts';
import { didYouMean } from '../core/suggest.ts';

/** Looks up the names a node may ref: enabled models and seeds, and the names of disabled ones. */
export interface NameIndex {
  readonly byName: ReadonlyMap<string, Draft>;
  readonly disabled: ReadonlySet<string>;
}

/** The node a ref names, or why there is none (with the closest existing names). */
export function resolveRef(index: NameIndex, name: string): Draft | { readonly error: string } {
  const target = index.byName.get(name);
  if (target) return target;
  if (index.disabled.has(name)) return { error: `refers to '${name}', which is disabled (enabled: false)` };
  return { error: `refers to '${name}', which does not exist${didYouMean(name, [...index.byName.keys(), ...index.disabled])}` };
}

/**
 * Resolves every enabled node's refs to node ids (id → ids it reads directly) and checks its
 * sources. Unknown and disabled refs, undeclared sources and a TS model reading an ephemeral
 * model are errors at the line that reads them.
 */
export function linkNodes(index: NameIndex, sourceIds: ReadonlySet<string>, errors: CompileError[]): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const draft of index.byName.values()) {
    const ids: string[] = [];
    for (const name of draft.refs) {
      const location = { file: draft.path, line: draft.lineOf(name) };
      const target = resolveRef(index, name);
      if ('error' in target) {
        errors.push(new CompileError(draft.id, location, target.error));
        continue;
      }
      if (draft.language === 'ts' && target.config.materialized === 'ephemeral') {
        errors.push(new CompileError(draft.id, location, `TS model depends on '${name}', which is ephemeral and has no table to read; materialize it`));
      }
      ids.push(target.id);
    }
    deps.set(draft.id, [...new Set(ids)]);
    checkSources(draft, sourceIds, errors);
  }
  return deps;
}

/** Reports the sources a node (or singular test) reads that no property file declares. */
export function checkSources(
  reader: Pick<Draft, 'id' | 'path' | 'sources' | 'lineOfSource'>,
  sourceIds: ReadonlySet<string>,
  errors: CompileError[],
): void {
  for (const id of reader.sources) {
    if (sourceIds.has(id)) continue;
    const [, source = '', table = ''] = id.split('.');
    const known = [...sourceIds].map((s) => s.slice('source.'.length)).sort();
    const list = known.length === 0 ? 'no sources are declared' : `declared sources: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`;
    errors.push(new CompileError(reader.id, { file: reader.path, line: reader.lineOfSource(source, table) },
      `refers to source '${source}.${table}', which does not exist${didYouMean(`${source}.${table}`, known)} (${list})`));
  }
}
