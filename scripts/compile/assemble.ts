import type { CompiledNode } from '../core/types.ts';
import type { Draft } from './drafts.ts';
import { inlineEphemerals } from './ephemeral.ts';
import { EPHEMERAL_PREFIX } from './tokens.ts';

/** Inlines ephemeral models into any SQL that reads them (models and singular tests). */
export interface Inliner {
  /** `sql` with its refs to ephemeral models (among `direct`) turned into CTEs */
  inline(sql: string, lineMap: readonly number[], direct: readonly string[], anchorLine: number): { sql: string; lineMap: number[] };
  /** `direct` plus what its ephemeral models read, since the inlined SQL reads those itself */
  reads(direct: readonly string[], ownSources: readonly string[]): { dependsOn: string[]; sources: string[] };
  readonly isEphemeral: (id: string) => boolean;
}

/** Builds the inliner over linked drafts in topological order (there must be no cycles). */
export function createInliner(
  order: readonly string[],
  drafts: ReadonlyMap<string, Draft>,
  deps: ReadonlyMap<string, readonly string[]>,
): Inliner {
  const position = new Map(order.map((id, i) => [id, i]));
  const ephemeral = new Set(order.filter((id) => drafts.get(id)?.config.materialized === 'ephemeral'));
  const nameEphemerals = (sql: string) =>
    sql.replace(/<<rel:model\.([^<>\s]+)>>/g, (token, name: string) => (ephemeral.has(`model.${name}`) ? `${EPHEMERAL_PREFIX}${name}` : token));
  /** the ephemeral models reached through ephemeral models only, dependencies first */
  const closureOf = (direct: readonly string[]): string[] => {
    const seen = new Set<string>();
    const visit = (ids: readonly string[]) => {
      for (const dep of ids) {
        if (ephemeral.has(dep) && !seen.has(dep)) {
          seen.add(dep);
          visit(deps.get(dep) ?? []);
        }
      }
    };
    visit(direct);
    return [...seen].sort((a, b) => position.get(a)! - position.get(b)!);
  };
  return {
    isEphemeral: (id) => ephemeral.has(id),
    inline(sql, lineMap, direct, anchorLine) {
      const parts = closureOf(direct).map((e) => ({ name: drafts.get(e)!.name, sql: nameEphemerals(drafts.get(e)!.rendered?.sql ?? '') }));
      return inlineEphemerals(nameEphemerals(sql), lineMap, parts, anchorLine);
    },
    reads(direct, ownSources) {
      const closure = closureOf(direct);
      return {
        dependsOn: [...new Set([...direct, ...closure.flatMap((e) => deps.get(e) ?? [])])].sort(),
        sources: [...new Set([...ownSources, ...closure.flatMap((e) => drafts.get(e)!.sources)])].sort(),
      };
    },
  };
}

/** Turns linked drafts (topological order, no cycles) into compiled nodes, ephemeral refs inlined. */
export function assembleNodes(
  order: readonly string[],
  drafts: ReadonlyMap<string, Draft>,
  deps: ReadonlyMap<string, readonly string[]>,
  inliner: Inliner,
): CompiledNode[] {
  return order.map((id) => {
    const draft = drafts.get(id)!;
    const direct = deps.get(id) ?? [];
    const { dependsOn, sources } = inliner.reads(direct, draft.sources);
    const ephemeralRefs = direct.filter(inliner.isEphemeral).map((d) => draft.lineOf(drafts.get(d)!.name));
    const anchor = ephemeralRefs.length === 0 ? 1 : Math.min(...ephemeralRefs);
    const rendered = draft.rendered;
    const main = rendered ? inliner.inline(rendered.sql, rendered.lineMap, direct, anchor) : undefined;
    const incremental = rendered?.incremental
      ? inliner.inline(rendered.incremental.sql, rendered.incremental.lineMap, direct, anchor)
      : undefined;
    const common = {
      id,
      name: draft.name,
      path: draft.path,
      ...(draft.description === undefined ? {} : { description: draft.description }),
      columns: draft.columns,
      config: draft.config,
      dependsOn,
      sources,
    };
    if (draft.language === 'csv') return { ...common, resourceType: 'seed', language: 'csv' };
    if (draft.language === 'ts') return { ...common, resourceType: 'model', language: 'ts', module: draft.module! };
    // A model whose template did not render has its errors gathered already; compile throws them
    // after assembling the rest (so tests' errors are gathered too), so this empty SQL never escapes.
    return {
      ...common,
      resourceType: 'model',
      language: 'sql',
      sql: main?.sql ?? '',
      ...(incremental ? { sqlIncremental: incremental.sql } : {}),
      lineMap: main?.lineMap ?? [],
      ...(incremental ? { lineMapIncremental: incremental.lineMap } : {}),
    };
  });
}
