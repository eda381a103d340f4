import { describeNode } from '../core/errors.ts';
import type { CompiledNode, Manifest, PlannedNode, PublishedState, Relation } from '../core/types.ts';
import { publicPlanResolver } from './public-resolver.ts';
import { publicRelationOf, type Lookup } from './relations.ts';
import { changedRelationOf } from './scoped-keys.ts';
import { addedRelationOf } from './scoped-tests.ts';
import { replaceTokens, resolveTokens } from './tokens.ts';

/** What planning one node needs from the build as a whole. */
export interface PlanContext {
  readonly manifest: Manifest;
  readonly published: PublishedState;
  readonly fullRefresh: boolean;
  readonly buildId: number;
  readonly lookup: (target: string) => Lookup;
  /** collects every unresolvable reference so the user sees them all at once */
  readonly problems: string[];
}

/** A relation that stands in for one that could not be resolved (the plan then throws). */
const UNRESOLVED: Relation = { schema: '?', name: '?' };

/** Plans one selected, non-ephemeral node whose target in this build is `target`. */
export function planNode(node: CompiledNode, target: Relation, ctx: PlanContext): PlannedNode {
  const previous = ctx.published.stored[node.id];
  const keepsHistory = node.config.materialized === 'incremental' || node.config.materialized === 'snapshot';
  // rows stored by a build that made the node a table have no row versions to add to
  const isIncremental = keepsHistory && previous !== undefined && previous.versioned && !ctx.fullRefresh;

  const resolve = (t: string): Relation => {
    if (t === 'this') return target;
    const found = ctx.lookup(t);
    if (found.ok) return found.relation;
    ctx.problems.push(problem(t, found.reason, node));
    return UNRESOLVED;
  };

  const useIncremental = isIncremental && node.sqlIncremental !== undefined;
  const rawSql = useIncremental ? node.sqlIncremental : node.sql;
  const lineMap = useIncremental ? (node.lineMapIncremental ?? node.lineMap) : node.lineMap;

  const inputs: Record<string, Relation> = {};
  if (node.language === 'ts') {
    const names = new Map(ctx.manifest.nodes.map((n) => [n.id, n.name]));
    for (const dep of node.dependsOn) inputs[names.get(dep) ?? dep] = resolve(dep);
  }

  // a view model's public view is its SQL over the public views, so it follows their pointers
  const publicSql =
    node.config.materialized === 'view' && node.sql !== undefined
      ? replaceTokens(node.sql, ctx.manifest.tokens, publicPlanResolver(ctx.manifest, node.id)).replace(/[\s;]+$/, '')
      : undefined;

  return {
    node,
    target,
    buildId: ctx.buildId,
    publicRelation: publicRelationOf(node),
    ...(previous ? { previous } : {}),
    isIncremental,
    ...(ctx.fullRefresh ? { fullRefresh: true as const } : {}),
    ...(isIncremental ? { added: addedRelationOf(target), changed: changedRelationOf(target) } : {}),
    ...(rawSql !== undefined ? { sql: resolveTokens(rawSql, ctx.manifest.tokens, resolve) } : {}),
    ...(publicSql !== undefined ? { publicSql } : {}),
    ...(rawSql !== undefined && lineMap ? { lineMap } : {}),
    inputs,
  };
}

function problem(target: string, reason: string, reader: CompiledNode): string {
  const subject = describeNode(target, undefined);
  const hint = reason.startsWith('is not selected') ? `; select it too (e.g. +${reader.name})` : '';
  return `${subject} (read by ${describeNode(reader.id, undefined)}) ${reason}${hint}`;
}
